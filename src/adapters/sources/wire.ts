import { z } from 'zod';

/** RFC 3339 as Alertmanager and the Zabbix media type write it; checked first, as it costs least. */
const RFC_3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** A string `timestamp` accepts: RFC 3339, or anything else `Date` reads. */
export const isTimestamp = (s: string): boolean => RFC_3339.test(s) || !Number.isNaN(Date.parse(s));

/** A timestamp as senders write it (RFC 3339, possibly with nanoseconds), read into ISO-8601 UTC. */
export const timestamp = z.string().refine(isTimestamp, { message: 'expected an RFC 3339 timestamp' });

/** A JSON object: not an array, not null. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object whose every value is a string: what `stringMap` accepts. */
export function isStringMap(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const key in v) if (typeof v[key] !== 'string') return false;
  return true;
}

/**
 * An object of string values (labels, annotations). Checked in one loop over its keys and passed on as
 * it is: a webhook carries hundreds of them, and a record schema copying each would cost more than the
 * rest of the check. A bad value is reported under its own key.
 */
export const stringMap = z.custom<Record<string, string>>().superRefine((v, ctx) => {
  if (isStringMap(v)) return;
  if (!isPlainObject(v)) {
    ctx.addIssue({ code: 'custom', message: `expected an object of strings, received ${describe(v)}` });
    return;
  }
  for (const key in v) {
    const value = v[key];
    if (typeof value !== 'string') {
      ctx.addIssue({ code: 'custom', path: [key], message: `expected string, received ${describe(value)}` });
    }
  }
});

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * ISO-8601 UTC as `Date.prototype.toISOString` writes it, of a day every month has (1..28): such a
 * string is its own reading. Days 29..31 take the long way, which rolls 31 February over as Date does.
 */
const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** Any timestamp `timestamp` accepts, as `toISOString` writes it; one already so written is kept as is. */
export const toIso = (s: string): string => (CANONICAL.test(s) ? s : new Date(Date.parse(s)).toISOString());
