import { z } from 'zod';
import { stringMap, timestamp } from './wire.js';

/** One alert of Alertmanager's webhook payload (version 4). */
export const alertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: timestamp,
  /** `0001-01-01T00:00:00Z` while firing: unset. */
  endsAt: timestamp.optional(),
  generatorURL: z.string().default(''),
  /** Absent from hand-made payloads; computed from the labels then. */
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{1,16}$/, 'expected a hex fingerprint')
    .optional(),
});

/**
 * Alertmanager's webhook payload, version 4. Fields added after 0.19 are optional. Unknown fields
 * are ignored, so a newer Alertmanager that adds one still gets through.
 */
export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4', { message: 'only webhook payload version "4" is understood' }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertmanagerAlertSchema),
  notification_reason: z.string().optional(),
  routeLabels: stringMap.optional(),
  timeout: z.union([z.boolean(), z.string(), z.number()]).optional(),
});

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
