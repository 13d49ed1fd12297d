import { z } from 'zod';
import { stringMap, timestamp } from '../sources/wire.js';

/**
 * One alert of `GET /api/v2/alerts` (Alertmanager's `gettableAlert`). Unknown fields are ignored so a
 * newer Alertmanager still gets through.
 */
export const gettableAlertSchema = z.object({
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: timestamp,
  endsAt: timestamp,
  fingerprint: z.string().regex(/^[0-9a-f]{1,16}$/, 'expected a hex fingerprint'),
  receivers: z.array(z.object({ name: z.string() })).default([]),
  status: z.object({
    /** `active`: notified; `suppressed`: silenced or inhibited; `unprocessed`: not routed yet. */
    state: z.enum(['active', 'suppressed', 'unprocessed']),
    silencedBy: z.array(z.string()).default([]),
    inhibitedBy: z.array(z.string()).default([]),
  }),
  generatorURL: z.string().default(''),
});

export type GettableAlert = z.infer<typeof gettableAlertSchema>;

export const gettableAlertsSchema = z.array(gettableAlertSchema);

/** The part of `GET /api/v2/status` the bridge reads: when this Alertmanager started. */
export const alertmanagerStatusSchema = z.object({ uptime: timestamp });
