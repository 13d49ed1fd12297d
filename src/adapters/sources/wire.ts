import { z } from 'zod';

/** A timestamp as senders write it (RFC 3339, possibly with nanoseconds), read into ISO-8601 UTC. */
export const timestamp = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an RFC 3339 timestamp' });

export const stringMap = z.record(z.string(), z.string());

export const toIso = (s: string): string => new Date(Date.parse(s)).toISOString();
