import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';
import {
  DEFAULT_POLICY,
  type GroupingRules,
  type IncidentPolicy,
  type Route,
} from '../../domain/grouping.js';
import { SOURCES } from '../../domain/model.js';

export class RulesError extends Error {}

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== null, 'expected a duration such as 30m, 1h or 7d');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name');

const regex = z.string().refine((s) => {
  try {
    new RegExp(`^(?:${s})$`);
    return true;
  } catch {
    return false;
  }
}, 'expected a valid regular expression');

const policyFields = {
  group_by: z.array(labelName).min(1).optional(),
  reopen_window: duration.optional(),
  flapping: z.strictObject({ cycles: z.number().int().min(1), window: duration }).optional(),
};

const groupingFileSchema = z.strictObject({
  defaults: z.strictObject(policyFields).optional(),
  routes: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        source: z.enum(SOURCES).optional(),
        match: z.record(labelName, z.string()).optional(),
        match_re: z.record(labelName, regex).optional(),
        ...policyFields,
      }),
    )
    .optional(),
});

type PolicyFields = {
  group_by?: string[];
  reopen_window?: string;
  flapping?: { cycles: number; window: string };
};

function toPolicy(p: PolicyFields | undefined, base: IncidentPolicy): IncidentPolicy {
  const ms = (d: string): number => parseDuration(d) ?? 0;
  return {
    groupBy: p?.group_by ?? base.groupBy,
    reopenWindowMs: p?.reopen_window ? ms(p.reopen_window) : base.reopenWindowMs,
    flapping: p?.flapping ? { cycles: p.flapping.cycles, windowMs: ms(p.flapping.window) } : base.flapping,
  };
}

export interface Rules {
  readonly grouping: GroupingRules;
}

/** Each file the bridge understands, with the schema its content must satisfy. */
const KNOWN_FILES = ['grouping.yml'] as const;

function readYaml(file: string): unknown {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) throw new RulesError(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS() ?? {};
}

function parseWith<T>(file: string, schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const msg = r.error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(top)'}: ${i.message}`)
    .join('; ');
  throw new RulesError(`${file}: ${msg}`);
}

/**
 * Reads the bridge's YAML rules from `dir`. A file missing means its defaults; an unknown key, a bad
 * value or an unknown `.yml` file stops the start with a message naming the file and the path.
 */
export function loadRules(dir: string): Rules {
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) {
      if (/\.ya?ml$/.test(f) && !(KNOWN_FILES as readonly string[]).includes(f)) {
        throw new RulesError(`${join(dir, f)}: unknown rules file (known: ${KNOWN_FILES.join(', ')})`);
      }
    }
  }
  const groupingFile = join(dir, 'grouping.yml');
  const g = existsSync(groupingFile)
    ? parseWith(groupingFile, groupingFileSchema, readYaml(groupingFile))
    : {};
  const defaults = toPolicy(g.defaults, DEFAULT_POLICY);
  const routes: Route[] = (g.routes ?? []).map((r) => ({
    name: r.name,
    source: r.source,
    match: r.match ?? {},
    matchRe: Object.fromEntries(
      Object.entries(r.match_re ?? {}).map(([k, v]) => [k, new RegExp(`^(?:${v})$`)]),
    ),
    policy: toPolicy(r, defaults),
  }));
  return { grouping: { defaults, routes } };
}
