import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';
import { SOURCES } from '../../domain/model.js';

/** The pieces every rules file is made of, so each file says the same thing the same way. */

export const duration = z
  .string()
  .refine((s) => parseDuration(s) !== null, 'expected a duration such as 30m, 1h or 7d');

export const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name');

/** An anchored regular expression, as Alertmanager's matchers are. */
export const regex = z.string().refine((s) => {
  try {
    new RegExp(`^(?:${s})$`);
    return true;
  } catch {
    return false;
  }
}, 'expected a valid regular expression');

/** Which alerts a rule applies to: its name, a source, label equality and label regular expressions. */
export const matcherFields = {
  name: z.string().min(1),
  source: z.enum(SOURCES).optional(),
  match: z.record(labelName, z.string()).optional(),
  match_re: z.record(labelName, regex).optional(),
};

export const compileRe = (m: Record<string, string> | undefined): Record<string, RegExp> =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, new RegExp(`^(?:${v})$`)]));
