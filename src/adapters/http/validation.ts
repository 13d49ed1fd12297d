import type { z } from 'zod';
import { badRequest, type ErrorDetail } from './errors.js';

/** Parses with a zod schema, or throws a 400 whose details name every bad field. */
export function parseOr400<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const details: ErrorDetail[] = r.error.issues.slice(0, 20).map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    message: i.message,
  }));
  const fields = [...new Set(details.map((d) => d.path))].join(', ');
  throw badRequest(`${what} is malformed: ${fields}`, details);
}
