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
import type { TrackerRules } from '../../domain/tracker-plan.js';

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

const SEVERITY_NAMES = ['unknown', 'info', 'warning', 'average', 'high', 'critical'] as const;

const jiraFileSchema = z.strictObject({
  issue: z
    .strictObject({
      issue_type: z.string().min(1).optional(),
      labels: z.array(z.string().min(1)).optional(),
      components: z.array(z.string().min(1)).optional(),
      summary: z.string().min(1).optional(),
      description: z.string().optional(),
      priorities: z.partialRecord(z.enum(SEVERITY_NAMES), z.string().min(1)).optional(),
    })
    .optional(),
  transitions: z
    .strictObject({
      resolve: z.string().min(1).optional(),
      resolve_resolution: z.string().min(1).optional(),
      reopen: z.string().min(1).optional(),
      wont_fix_resolution: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    })
    .optional(),
  routes: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        source: z.enum(SOURCES).optional(),
        match: z.record(labelName, z.string()).optional(),
        match_re: z.record(labelName, regex).optional(),
        project: z.string().min(1).optional(),
        issue_type: z.string().min(1).optional(),
        components: z.array(z.string().min(1)).optional(),
        labels: z.array(z.string().min(1)).optional(),
      }),
    )
    .optional(),
});

/** Tracker rules without the project, which comes from JIRA_PROJECT. */
export type TrackerRulesSansProject = Omit<TrackerRules, 'project'>;

export interface Rules {
  readonly grouping: GroupingRules;
  readonly tracker: TrackerRulesSansProject;
}

const DEFAULT_SUMMARY = '[{{severity}}] {{title}}';
const DEFAULT_DESCRIPTION = 'Opened by incident-bridge for {{id}} from {{sources}}.';

/** Each file the bridge understands, with the schema its content must satisfy. */
const KNOWN_FILES = ['grouping.yml', 'jira.yml'] as const;

const compileRe = (m: Record<string, string> | undefined): Record<string, RegExp> =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, new RegExp(`^(?:${v})$`)]));

function loadTracker(dir: string): TrackerRulesSansProject {
  const file = join(dir, 'jira.yml');
  const j = existsSync(file) ? parseWith(file, jiraFileSchema, readYaml(file)) : {};
  const wontFix = j.transitions?.wont_fix_resolution;
  return {
    issueType: j.issue?.issue_type ?? 'Task',
    labels: j.issue?.labels ?? ['incident-bridge'],
    components: j.issue?.components ?? [],
    summary: j.issue?.summary ?? DEFAULT_SUMMARY,
    description: j.issue?.description ?? DEFAULT_DESCRIPTION,
    priorities: j.issue?.priorities ?? {},
    transitions: { resolve: j.transitions?.resolve, reopen: j.transitions?.reopen },
    resolveResolution: j.transitions?.resolve_resolution,
    noReopenResolutions:
      wontFix === undefined ? ["Won't Fix", "Won't Do"] : Array.isArray(wontFix) ? wontFix : [wontFix],
    routes: (j.routes ?? []).map((r) => ({
      name: r.name,
      source: r.source,
      match: r.match ?? {},
      matchRe: compileRe(r.match_re),
      project: r.project,
      issueType: r.issue_type,
      components: r.components,
      labels: r.labels,
    })),
  };
}

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
    matchRe: compileRe(r.match_re),
    policy: toPolicy(r, defaults),
  }));
  return { grouping: { defaults, routes }, tracker: loadTracker(dir) };
}
