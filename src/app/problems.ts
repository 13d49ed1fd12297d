import { attachToProblem, closeForRelease } from '../domain/incident-decisions.js';
import type { Incident } from '../domain/model.js';
import {
  closeByRelease,
  decideCorrelation,
  linkIncident,
  newProblem,
  type Problem,
  type ProblemPatch,
  type ProblemRules,
  patchProblem,
  problemKeyFor,
  problemsFixedBy,
  reopenAsRegression,
  unlinkIncident,
} from '../domain/problems.js';
import type { IncidentStore } from './ports.js';
import type { ProblemStore } from './problem-ports.js';

export interface ProblemDeps {
  readonly store: IncidentStore;
  readonly problems: ProblemStore;
  readonly rules: ProblemRules;
}

/** What a problem command changed: handed to the effect sinks (tracker jobs, notifications). */
export interface ProblemChanges {
  readonly incidents: Incident[];
  readonly problems: Problem[];
}

const noChanges = (): ProblemChanges => ({ incidents: [], problems: [] });

async function setIncidentProblem(
  deps: ProblemDeps,
  incidentId: string,
  problemId: string | null,
  now: string,
  out: ProblemChanges,
) {
  const changed = await deps.store.updateById(incidentId, async (i) => {
    const next = attachToProblem(i, problemId, now);
    return { next, write: next !== i, result: next };
  });
  if (changed) out.incidents.push(changed);
}

async function updateProblem(
  deps: ProblemDeps,
  id: string,
  change: (p: Problem) => Problem,
  out: ProblemChanges,
): Promise<Problem | null> {
  const p = await deps.problems.updateProblem(id, async (current) => {
    if (!current) return { next: null, result: null };
    const next = change(current);
    return { next: next === current ? null : next, result: next };
  });
  if (p) out.problems.push(p);
  return p;
}

/**
 * Looks at incidents that correlation has not seen yet: each joins the open problem of its key, or
 * reopens a problem a release closed recently (a regression), or is counted until its key recurs often
 * enough to open a problem. Idempotent: a retry after a crash finishes what was left.
 */
export async function correlateIncidents(
  deps: ProblemDeps,
  incidents: readonly Incident[],
  now: string,
): Promise<ProblemChanges> {
  const out = noChanges();
  for (const incident of incidents) {
    if (incident.correlatedAt !== null || incident.status === 'closed') continue;
    const keyed = problemKeyFor(incident, deps.rules);
    if (!keyed) {
      await setIncidentProblem(deps, incident.id, incident.problemId, now, out);
      continue;
    }
    type Decided =
      | { kind: 'none' }
      | { kind: 'link' | 'regression'; problemId: string }
      | { kind: 'open-problem'; problemId: string; incidentIds: readonly string[] };
    const decided = await deps.problems.updateCorrelation<Decided>(keyed.key, async (correlation) => {
      const problem = correlation?.problemId ? await deps.problems.getProblem(correlation.problemId) : null;
      const d = decideCorrelation(correlation, problem, incident, keyed.key, keyed.policy, now);
      if (d.decision.kind !== 'open-problem') return { next: d.correlation, result: d.decision };
      // Keep an id already taken by an earlier attempt that died before it wrote the problem.
      const problemId =
        correlation?.problemId && !problem ? correlation.problemId : await deps.problems.nextProblemId();
      return { next: { ...d.correlation, problemId }, result: { ...d.decision, problemId } };
    });
    switch (decided.kind) {
      case 'none':
        await setIncidentProblem(deps, incident.id, incident.problemId, now, out);
        break;
      case 'link':
        await updateProblem(deps, decided.problemId, (p) => linkIncident(p, incident.id, now), out);
        await setIncidentProblem(deps, incident.id, decided.problemId, now, out);
        break;
      case 'regression':
        await updateProblem(deps, decided.problemId, (p) => reopenAsRegression(p, incident.id, now), out);
        await setIncidentProblem(deps, incident.id, decided.problemId, now, out);
        break;
      case 'open-problem': {
        const id = decided.problemId;
        const created = await deps.problems.updateProblem(id, async (current) => {
          if (current) return { next: null, result: current };
          const p = newProblem(id, keyed.key, incident.title, decided.incidentIds, now);
          return { next: p, result: p };
        });
        out.problems.push(created);
        for (const incidentId of decided.incidentIds)
          await setIncidentProblem(deps, incidentId, id, now, out);
        break;
      }
    }
  }
  return out;
}

/** A person opens a problem for incidents they judge to share a cause. */
export async function createProblem(
  deps: ProblemDeps,
  title: string,
  incidentIds: readonly string[],
  now: string,
): Promise<{ problem: Problem; changes: ProblemChanges }> {
  const out = noChanges();
  const id = await deps.problems.nextProblemId();
  const problem = newProblem(id, `manual:${id}`, title, incidentIds, now);
  await deps.problems.updateProblem(id, async () => ({ next: problem, result: undefined }));
  out.problems.push(problem);
  for (const incidentId of incidentIds) await linkManually(deps, incidentId, id, now, out);
  return { problem, changes: out };
}

/** Links an incident to a problem by hand (or unlinks it, with null), moving it off its former problem. */
export async function linkManually(
  deps: ProblemDeps,
  incidentId: string,
  problemId: string | null,
  now: string,
  out: ProblemChanges = noChanges(),
): Promise<ProblemChanges> {
  const incident = await deps.store.get(incidentId);
  if (!incident) return out;
  if (incident.problemId && incident.problemId !== problemId) {
    await updateProblem(deps, incident.problemId, (p) => unlinkIncident(p, incidentId, now), out);
  }
  if (problemId) await updateProblem(deps, problemId, (p) => linkIncident(p, incidentId, now), out);
  await setIncidentProblem(deps, incidentId, problemId, now, out);
  return out;
}

export async function patchProblemById(
  deps: ProblemDeps,
  id: string,
  patch: ProblemPatch,
  now: string,
): Promise<{ problem: Problem | null; changes: ProblemChanges }> {
  const out = noChanges();
  const problem = await updateProblem(deps, id, (p) => patchProblem(p, patch, now), out);
  return { problem: problem ?? (await deps.problems.getProblem(id)), changes: out };
}

/**
 * A version was released: every problem it fixes closes, and so does each of their incidents whose
 * alerts are quiet; an incident still firing stays open and is flagged. A second delivery of the same
 * release finds nothing left to close and changes nothing.
 */
export async function releaseVersion(
  deps: ProblemDeps,
  version: string,
  now: string,
  inProject: (p: Problem) => boolean = () => true,
): Promise<ProblemChanges> {
  const out = noChanges();
  const fixed = problemsFixedBy(await deps.problems.listProblems({ limit: 100_000 }), version).filter(
    inProject,
  );
  for (const problem of fixed) {
    const closed = await updateProblem(deps, problem.id, (p) => closeByRelease(p, version, now), out);
    for (const incidentId of closed?.incidentIds ?? []) {
      const incident = await deps.store.updateById(incidentId, async (i) => {
        const o = closeForRelease(i, version, now);
        return { next: o.kind === 'changed' ? o.incident : null, write: o.kind === 'changed', result: o };
      });
      if (incident?.kind === 'changed') out.incidents.push(incident.incident);
    }
  }
  return out;
}
