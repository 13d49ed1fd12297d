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
import type { PriorityRules } from '../../domain/priority.js';
import { DEFAULT_PROBLEM_POLICY, type ProblemPolicy, type ProblemRules } from '../../domain/problems.js';
import type { TrackerRules } from '../../domain/tracker-plan.js';
import { type CatchUpRules, catchUpFileSchema, toCatchUpRules } from './catch-up-rules.js';
import { priorityFileSchema, toPriorityRules } from './priority-rules.js';
import { compileRe, duration, labelName, matcherFields } from './rule-fields.js';

export class RulesError extends Error {}

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
        ...matcherFields,
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
        ...matcherFields,
        project: z.string().min(1).optional(),
        issue_type: z.string().min(1).optional(),
        components: z.array(z.string().min(1)).optional(),
        labels: z.array(z.string().min(1)).optional(),
      }),
    )
    .optional(),
});

const problemPolicyFields = {
  key: z.string().min(1).optional(),
  recurrence: z.strictObject({ count: z.number().int().min(1), window: duration }).optional(),
  regression_window: duration.optional(),
};

const problemsFileSchema = z.strictObject({
  defaults: z.strictObject(problemPolicyFields).optional(),
  routes: z
    .array(
      z.strictObject({
        ...matcherFields,
        ...problemPolicyFields,
      }),
    )
    .optional(),
  jira: z
    .strictObject({
      issue_type: z.string().min(1).optional(),
      link_type: z.string().min(1).optional(),
      summary: z.string().min(1).optional(),
      release_resolution: z.string().min(1).optional(),
      root_cause_field: z.string().min(1).optional(),
      projects: z.array(z.string().min(1)).optional(),
    })
    .optional(),
});

export interface ProblemTrackerRules {
  readonly issueType: string;
  /** Tried first; `Relates` when the instance lacks it. */
  readonly linkType: string;
  readonly summary: string;
  readonly releaseResolution: string;
  /** A custom field holding the root-cause conclusion (`customfield_10050`); else the resolving comment. */
  readonly rootCauseField?: string | undefined;
  /** Projects whose version releases close problems (besides JIRA_PROJECT). */
  readonly projects: readonly string[];
}

function loadProblems(dir: string): { rules: ProblemRules; tracker: ProblemTrackerRules } {
  const file = join(dir, 'problems.yml');
  const f = existsSync(file) ? parseWith(file, problemsFileSchema, readYaml(file)) : {};
  const ms = (d: string): number => parseDuration(d) ?? 0;
  const toPolicy = (
    x: z.infer<typeof problemsFileSchema>['defaults'],
    base: ProblemPolicy,
  ): ProblemPolicy => ({
    keyTemplate: x?.key ?? base.keyTemplate,
    recurrenceCount: x?.recurrence?.count ?? base.recurrenceCount,
    recurrenceWindowMs: x?.recurrence ? ms(x.recurrence.window) : base.recurrenceWindowMs,
    regressionWindowMs: x?.regression_window ? ms(x.regression_window) : base.regressionWindowMs,
  });
  const defaults = toPolicy(f.defaults, DEFAULT_PROBLEM_POLICY);
  return {
    rules: {
      defaults,
      routes: (f.routes ?? []).map((r) => ({
        name: r.name,
        source: r.source,
        match: r.match ?? {},
        matchRe: compileRe(r.match_re),
        policy: toPolicy(r, defaults),
      })),
    },
    tracker: {
      issueType: f.jira?.issue_type ?? 'Problem',
      linkType: f.jira?.link_type ?? 'Problem/Incident',
      summary: f.jira?.summary ?? '[Problem] {{title}}',
      releaseResolution: f.jira?.release_resolution ?? 'Fixed',
      rootCauseField: f.jira?.root_cause_field,
      projects: f.jira?.projects ?? [],
    },
  };
}

/** Tracker rules without the project, which comes from JIRA_PROJECT. */
export type TrackerRulesSansProject = Omit<TrackerRules, 'project'>;

export interface Rules {
  readonly grouping: GroupingRules;
  readonly tracker: TrackerRulesSansProject;
  /** What catch-up asks the senders' APIs about (`catchup.yml`). */
  readonly catchUp: CatchUpRules;
  readonly problems: ProblemRules;
  readonly problemTracker: ProblemTrackerRules;
  /** Impact × urgency → priority, SLA policies and calendars (`priority.yml`). */
  readonly priority: PriorityRules;
}

const DEFAULT_SUMMARY = '[{{severity}}] {{title}}';
const DEFAULT_DESCRIPTION = 'Opened by incident-bridge for {{id}} from {{sources}}.';

/** Each file the bridge understands, with the schema its content must satisfy. */
const KNOWN_FILES = ['grouping.yml', 'jira.yml', 'problems.yml', 'priority.yml', 'catchup.yml'] as const;

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

function loadCatchUp(dir: string): CatchUpRules {
  const file = join(dir, 'catchup.yml');
  return toCatchUpRules(existsSync(file) ? parseWith(file, catchUpFileSchema, readYaml(file)) : {});
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
  const problems = loadProblems(dir);
  const priorityFile = join(dir, 'priority.yml');
  const priority = toPriorityRules(
    existsSync(priorityFile) ? parseWith(priorityFile, priorityFileSchema, readYaml(priorityFile)) : {},
  );
  return {
    grouping: { defaults, routes },
    catchUp: loadCatchUp(dir),
    tracker: { ...loadTracker(dir), priorityNames: priority.jiraPriorities },
    priority,
    problems: problems.rules,
    problemTracker: problems.tracker,
  };
}
