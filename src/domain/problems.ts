import { type Matcher, routeMatches } from './grouping.js';
import type { Incident, IncidentEffect, TrackerLink } from './model.js';

export const PROBLEM_STATUSES = ['open', 'known_error', 'fix_pending', 'closed'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

export type ProblemNewsKind =
  | 'incident-linked'
  | 'incident-unlinked'
  | 'regression'
  | 'fix-pending'
  | 'released'
  | 'root-cause';

export interface ProblemNews {
  readonly seq: number;
  readonly kind: ProblemNewsKind;
  readonly at: string;
  /** The incident, the version or the text the news is about. */
  readonly ref?: string | undefined;
}

/** A root cause shared by several incidents (ITIL's problem). */
export interface Problem {
  readonly id: string;
  /** The correlation key (`checkout/HighLatency`), or `manual:<id>` for a problem made by hand. */
  readonly key: string;
  readonly title: string;
  readonly status: ProblemStatus;
  readonly incidentIds: readonly string[];
  readonly rootCause: string | null;
  readonly fixVersion: string | null;
  /** The release that closed it, kept so a recurrence can be told apart as a regression. */
  readonly release: { readonly version: string; readonly at: string } | null;
  readonly regressions: number;
  readonly jira: ProblemTrackerLink | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly closedAt: string | null;
  readonly revision: number;
  readonly news: readonly ProblemNews[];
}

export interface ProblemTrackerLink extends TrackerLink {
  /** Incident issues already linked to the problem's issue. */
  readonly linkedKeys: readonly string[];
  /** The fix version last written to the issue. */
  readonly fixVersion: string | null;
}

/** Occurrences of one problem key: what the recurrence threshold counts. */
export interface Correlation {
  readonly key: string;
  readonly occurrences: readonly { readonly incidentId: string; readonly at: string }[];
  /** The problem now holding the key, open or closed. */
  readonly problemId: string | null;
}

export interface ProblemPolicy {
  /** `{{service}}/{{alertname}}`: labels of the incident; a missing label makes no key. */
  readonly keyTemplate: string;
  /** A problem opens when this many incidents of one key occur within `recurrenceWindowMs`. */
  readonly recurrenceCount: number;
  readonly recurrenceWindowMs: number;
  /** An incident of a problem closed by a release this recently reopens it as a regression. */
  readonly regressionWindowMs: number;
}

export interface ProblemRoute extends Matcher {
  readonly name: string;
  readonly policy: ProblemPolicy;
}

export interface ProblemRules {
  readonly defaults: ProblemPolicy;
  readonly routes: readonly ProblemRoute[];
}

export const DEFAULT_PROBLEM_POLICY: ProblemPolicy = {
  keyTemplate: '{{service}}/{{alertname}}',
  recurrenceCount: 3,
  recurrenceWindowMs: 7 * 86_400_000,
  regressionWindowMs: 14 * 86_400_000,
};

export const DEFAULT_PROBLEM_RULES: ProblemRules = { defaults: DEFAULT_PROBLEM_POLICY, routes: [] };

const ms = (iso: string): number => Date.parse(iso);
const MAX_NEWS = 50;

/** The problem key of an incident, from its common labels; null when a label the template needs is missing. */
export function problemKeyFor(
  incident: Incident,
  rules: ProblemRules,
): { key: string; policy: ProblemPolicy } | null {
  const route = rules.routes.find((r) => incident.alerts.some((a) => routeMatches(r, a.source, a.labels)));
  const policy = route?.policy ?? rules.defaults;
  let missing = false;
  const key = policy.keyTemplate.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) => {
    const v = incident.labels[name];
    if (v === undefined || v === '') missing = true;
    return v ?? '';
  });
  return missing ? null : { key, policy };
}

function withNews(p: Problem, kind: ProblemNewsKind, at: string, ref?: string): Problem {
  const seq = (p.news.at(-1)?.seq ?? 0) + 1;
  return {
    ...p,
    news: [...p.news, { seq, kind, at, ...(ref !== undefined ? { ref } : {}) }].slice(-MAX_NEWS),
    updatedAt: at,
    revision: p.revision + 1,
  };
}

export function newProblem(
  id: string,
  key: string,
  title: string,
  incidentIds: readonly string[],
  now: string,
): Problem {
  return {
    id,
    key,
    title,
    status: 'open',
    incidentIds: [...new Set(incidentIds)],
    rootCause: null,
    fixVersion: null,
    release: null,
    regressions: 0,
    jira: null,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    revision: 1,
    news: [],
  };
}

export type CorrelationDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'link'; readonly problemId: string }
  | { readonly kind: 'regression'; readonly problemId: string }
  | { readonly kind: 'open-problem'; readonly incidentIds: readonly string[] };

/**
 * An incident opened: attach it to the open problem of its key, reopen a problem a release closed
 * recently (a regression), or count it and open a problem once the key recurs often enough.
 */
export function decideCorrelation(
  correlation: Correlation | null,
  problem: Problem | null,
  incident: Incident,
  key: string,
  policy: ProblemPolicy,
  now: string,
): { correlation: Correlation; decision: CorrelationDecision } {
  const base: Correlation = correlation ?? { key, occurrences: [], problemId: null };
  const cutoff = ms(now) - policy.recurrenceWindowMs;
  const seen = base.occurrences.some((o) => o.incidentId === incident.id);
  const occurrences = [
    ...base.occurrences.filter((o) => ms(o.at) > cutoff),
    ...(seen ? [] : [{ incidentId: incident.id, at: incident.firstSeenAt }]),
  ];
  const next = { ...base, occurrences };
  if (problem && problem.status !== 'closed')
    return { correlation: next, decision: { kind: 'link', problemId: problem.id } };
  if (problem?.release && ms(now) - ms(problem.release.at) <= policy.regressionWindowMs) {
    return { correlation: next, decision: { kind: 'regression', problemId: problem.id } };
  }
  if (occurrences.length >= policy.recurrenceCount) {
    return {
      correlation: next,
      decision: { kind: 'open-problem', incidentIds: occurrences.map((o) => o.incidentId) },
    };
  }
  return { correlation: next, decision: { kind: 'none' } };
}

export function linkIncident(problem: Problem, incidentId: string, now: string): Problem {
  if (problem.incidentIds.includes(incidentId)) return problem;
  return withNews(
    { ...problem, incidentIds: [...problem.incidentIds, incidentId] },
    'incident-linked',
    now,
    incidentId,
  );
}

export function unlinkIncident(problem: Problem, incidentId: string, now: string): Problem {
  if (!problem.incidentIds.includes(incidentId)) return problem;
  return withNews(
    { ...problem, incidentIds: problem.incidentIds.filter((i) => i !== incidentId) },
    'incident-unlinked',
    now,
    incidentId,
  );
}

/** A recurrence after the release that should have fixed it. */
export function reopenAsRegression(problem: Problem, incidentId: string, now: string): Problem {
  const version = problem.release?.version ?? problem.fixVersion ?? '?';
  const reopened = withNews(
    { ...problem, status: 'open', closedAt: null, regressions: problem.regressions + 1 },
    'regression',
    now,
    version,
  );
  return linkIncident(reopened, incidentId, now);
}

export interface ProblemPatch {
  readonly rootCause?: string | null | undefined;
  readonly fixVersion?: string | null | undefined;
  readonly status?: ProblemStatus | undefined;
}

/** What people set: the root cause, the fix version (which makes it `fix_pending`), the status. */
export function patchProblem(problem: Problem, patch: ProblemPatch, now: string): Problem {
  let p = problem;
  if (patch.rootCause !== undefined && patch.rootCause !== p.rootCause) {
    p = withNews({ ...p, rootCause: patch.rootCause }, 'root-cause', now);
    if (p.status === 'open' && patch.rootCause) p = { ...p, status: 'known_error' };
  }
  if (patch.fixVersion !== undefined && patch.fixVersion !== p.fixVersion) {
    p = { ...p, fixVersion: patch.fixVersion, revision: p.revision + 1, updatedAt: now };
    if (patch.fixVersion && p.status !== 'closed')
      p = withNews({ ...p, status: 'fix_pending' }, 'fix-pending', now, patch.fixVersion);
  }
  if (patch.status !== undefined && patch.status !== p.status) {
    p = {
      ...p,
      status: patch.status,
      closedAt: patch.status === 'closed' ? now : null,
      revision: p.revision + 1,
      updatedAt: now,
    };
  }
  return p;
}

/** The fix version was released: the problem is closed by it, and remembers it for regressions. */
export function closeByRelease(problem: Problem, version: string, now: string): Problem {
  if (problem.status === 'closed') return problem;
  return withNews(
    { ...problem, status: 'closed', closedAt: now, release: { version, at: now } },
    'released',
    now,
    version,
  );
}

/** Problems a release closes: open ones whose fix version it is. */
export function problemsFixedBy(problems: readonly Problem[], version: string): Problem[] {
  return problems.filter((p) => p.status !== 'closed' && p.fixVersion === version);
}

/** What a problem command told the incidents' followers, read back from the news it wrote at `at`. */
export function problemEffects(incidents: readonly Incident[], at: string): IncidentEffect[] {
  const out: IncidentEffect[] = [];
  for (const i of incidents) {
    for (const n of i.news) {
      if (n.at !== at || n.ref === undefined) continue;
      if (n.kind === 'problem-linked')
        out.push({ type: 'problem-linked', incidentId: i.id, problemId: n.ref });
      if (n.kind === 'fixed-in-release')
        out.push({ type: 'release-closed', incidentId: i.id, version: n.ref });
    }
  }
  return out;
}
