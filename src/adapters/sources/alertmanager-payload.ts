import { z } from 'zod';
import { isPlainObject, isStringMap, isTimestamp, stringMap, timestamp } from './wire.js';

/** What Alertmanager writes as a fingerprint: what `isFingerprint` accepts. */
export const FINGERPRINT = /^[0-9a-f]{1,16}$/;

/** `FINGERPRINT.test(s)` without the regular expression, for the webhook's plain check (see `isRfc3339`). */
export function isFingerprint(s: string): boolean {
  const n = s.length;
  if (n < 1 || n > 16) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

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
  fingerprint: z.string().regex(FINGERPRINT, 'expected a hex fingerprint').optional(),
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

const isStatus = (v: unknown): boolean => v === 'firing' || v === 'resolved';
const absentOr = (v: unknown, fits: (v: unknown) => boolean): boolean => v === undefined || fits(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): boolean => typeof v === 'string' && isTimestamp(v);

const isHex = (v: unknown): boolean => typeof v === 'string' && isFingerprint(v);

function plainAlert(a: unknown): boolean {
  return (
    isPlainObject(a) &&
    isStatus(a.status) &&
    isStringMap(a.labels) &&
    absentOr(a.annotations, isStringMap) &&
    isTime(a.startsAt) &&
    absentOr(a.endsAt, isTime) &&
    absentOr(a.generatorURL, isString) &&
    absentOr(a.fingerprint, isHex)
  );
}

/**
 * The alerts of a parsed payload that plainly fits `alertmanagerPayloadSchema`, as Alertmanager writes
 * them; null for anything else, which then takes the schema's own check (and its errors naming the
 * field). The webhook only needs to know that a body fits and how many alerts it carries, and a schema
 * walk over a hundred alerts costs about as much as parsing their JSON. Stricter than the schema, never
 * looser: what passes here passes the schema (tested on every field of the captured payloads).
 */
export function plainAlertmanagerAlerts(json: unknown): number | null {
  if (!isPlainObject(json)) return null;
  const p = json;
  const fits =
    p.version === '4' &&
    isString(p.groupKey) &&
    absentOr(p.truncatedAlerts, (n) => Number.isSafeInteger(n) && (n as number) >= 0) &&
    isStatus(p.status) &&
    isString(p.receiver) &&
    absentOr(p.groupLabels, isStringMap) &&
    absentOr(p.commonLabels, isStringMap) &&
    absentOr(p.commonAnnotations, isStringMap) &&
    absentOr(p.externalURL, isString) &&
    absentOr(p.notification_reason, isString) &&
    absentOr(p.routeLabels, isStringMap) &&
    absentOr(p.timeout, (t) => typeof t === 'boolean' || typeof t === 'string' || typeof t === 'number') &&
    Array.isArray(p.alerts) &&
    p.alerts.every(plainAlert);
  return fits ? (p.alerts as unknown[]).length : null;
}
