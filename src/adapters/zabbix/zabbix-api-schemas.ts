import { z } from 'zod';

/** Zabbix answers ids, times and enumerations as strings of digits. */
const id = z.string().regex(/^\d+$/, 'expected a numeric id');
const digits = z.string().regex(/^\d+$/, 'expected digits');

const tag = z.object({ tag: z.string(), value: z.string().default('') });

/** One event update of `selectAcknowledges` (newest first). */
const acknowledge = z.object({
  clock: digits,
  message: z.string().default(''),
  /** Bit mask: 1 close, 2 acknowledge, 4 message, 8 severity, 16 unacknowledge. */
  action: digits,
  username: z.string().default(''),
  name: z.string().default(''),
  surname: z.string().default(''),
});

/** A problem of `problem.get` with the fields the bridge asks for. */
export const problemSchema = z.object({
  eventid: id,
  /** The trigger. */
  objectid: id,
  clock: digits,
  name: z.string(),
  severity: z.string().regex(/^[0-5]$/, 'expected a severity 0-5'),
  acknowledged: z.enum(['0', '1']),
  /** "0" while the problem is open. */
  r_eventid: digits,
  r_clock: digits,
  tags: z.array(tag).default([]),
  acknowledges: z.array(acknowledge).default([]),
});
export type ZabbixProblem = z.infer<typeof problemSchema>;
export type ZabbixAcknowledge = z.infer<typeof acknowledge>;

/** A trigger of `trigger.get` with its hosts, the name's macros expanded. */
export const triggerSchema = z.object({
  triggerid: id,
  description: z.string(),
  hosts: z.array(z.object({ hostid: id, host: z.string(), name: z.string() })).default([]),
});
export type ZabbixTrigger = z.infer<typeof triggerSchema>;

/** An event of `event.get`: a problem with its recovery event id, or a recovery with its time. */
export const eventSchema = z.object({ eventid: id, clock: digits, r_eventid: digits.default('0') });

export const hostGroupSchema = z.object({ groupid: id, name: z.string() });
export const hostSchema = z.object({ hostid: id, host: z.string() });
