import { z } from 'zod';
import { timestamp } from './wire.js';

/**
 * Zabbix leaves a macro it cannot resolve as its literal text (`{EVENT.RECOVERY.ID}`) and writes
 * `*UNKNOWN*` for some missing values; both, like null and '', mean "absent".
 */
export function isAbsent(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== 'string') return false;
  const t = v.trim();
  return t === '' || t === '*UNKNOWN*' || /^\{[A-Z0-9_.$#:]+\}$/.test(t);
}

const absentToUndefined = (v: unknown): unknown => (isAbsent(v) ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(absentToUndefined, schema.optional());

/** Zabbix sends every media type parameter as a string: "1" is 1. */
const intLike = z.preprocess(
  (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v),
  z.number().int(),
);
const id = z
  .union([z.string().regex(/^\d+$/, 'expected a numeric Zabbix id'), z.number().int().nonnegative()])
  .transform(String);

/** `2026.11.22 20:03:17` ({EVENT.DATE} {EVENT.TIME}) is read as UTC; ISO-8601 is preferred. */
const zabbixTime = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const m = /^(\d{4})\.(\d{2})\.(\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(v.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}Z` : v;
}, timestamp);

const boolLike = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const t = v.trim().toLowerCase();
  if (['1', 'true', 'yes'].includes(t)) return true;
  if (['0', 'false', 'no'].includes(t)) return false;
  return v;
}, z.boolean());

const tag = z.object({ tag: z.string(), value: z.preprocess((v) => v ?? '', z.string()) });
/** `{EVENT.TAGSJSON}` arrives as an array, or as the JSON text of one from a hand-written script. */
const tags = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}, z.array(tag));

const severity = z.union([
  z.object({ name: optional(z.string()), number: optional(intLike.pipe(z.number().min(0).max(5))) }),
  z.preprocess(
    (v) => (typeof v === 'string' && /^\d$/.test(v.trim()) ? Number(v) : v),
    z.number().int().min(0).max(5),
  ),
  z.string(),
]);

const update = z.object({
  action: optional(z.string()),
  message: optional(z.string()),
  user: optional(z.string()),
  time: optional(zabbixTime),
});

/**
 * The body the shipped media type (integrations/zabbix) posts, one per problem, update or recovery.
 * Its identity is `event_id`, the problem event's id, repeated by its updates and its recovery.
 */
export const zabbixPayloadSchema = z.object({
  event_id: id,
  event_value: intLike.pipe(
    z.union([z.literal(0), z.literal(1)], { message: 'expected 0 (recovery) or 1 (problem)' }),
  ),
  event_update_status: z.preprocess(
    (v) => (isAbsent(v) ? 0 : v),
    intLike.pipe(z.union([z.literal(0), z.literal(1)], { message: 'expected 0 or 1' })),
  ),
  event_status: optional(z.string()),
  event_name: optional(z.string()),
  recovery_event_id: optional(id),
  trigger_id: optional(id),
  trigger_name: optional(z.string()),
  host: optional(z.string()),
  host_name: optional(z.string()),
  severity: optional(severity),
  event_tags: z.preprocess((v) => (isAbsent(v) ? [] : v), tags),
  event_time: zabbixTime,
  recovery_time: optional(zabbixTime),
  event_ack: optional(boolLike),
  update: optional(update),
  subject: optional(z.string()),
  message: optional(z.string()),
  send_to: optional(z.string()),
  event_url: optional(z.string()),
});

export type ZabbixPayload = z.infer<typeof zabbixPayloadSchema>;
