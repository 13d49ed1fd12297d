import { close } from '../domain/incident-decisions.js';
import type { Incident } from '../domain/model.js';
import { patchProblem } from '../domain/problems.js';
import type { JiraEvent } from './ports.js';
import { linkManually, type ProblemChanges, type ProblemDeps, releaseVersion } from './problems.js';

/**
 * What people did in Jira, brought into the bridge: a release closes the problems it fixes; a fix
 * version set on a problem's issue makes it fix-pending; an issue a person closed closes its incident
 * or problem; a link made or removed between an incident's and a problem's issue links them here too.
 */
export async function applyJiraEvent(
  deps: ProblemDeps & { readonly releaseProjects: readonly string[] },
  event: JiraEvent,
  now: string,
): Promise<ProblemChanges> {
  switch (event.kind) {
    case 'version-released': {
      if (!deps.releaseProjects.includes(event.project)) return { incidents: [], problems: [] };
      return releaseVersion(
        deps,
        event.version,
        now,
        (p) => p.jira?.key == null || p.jira.key.startsWith(`${event.project}-`),
      );
    }
    case 'issue-updated':
      return issueUpdated(deps, event, now);
    case 'link-created':
    case 'link-deleted': {
      const [a, b] = await Promise.all([
        deps.problems.issueOwner(event.sourceIssueId),
        deps.problems.issueOwner(event.destinationIssueId),
      ]);
      const problem = a?.kind === 'problem' ? a : b?.kind === 'problem' ? b : null;
      const incident = a?.kind === 'incident' ? a : b?.kind === 'incident' ? b : null;
      if (!problem || !incident) return { incidents: [], problems: [] };
      const current = await deps.store.get(incident.id);
      if (event.kind === 'link-created') {
        if (current?.problemId === problem.id) return { incidents: [], problems: [] };
        return linkManually(deps, incident.id, problem.id, now);
      }
      if (current?.problemId !== problem.id) return { incidents: [], problems: [] };
      return linkManually(deps, incident.id, null, now);
    }
  }
}

async function issueUpdated(
  deps: ProblemDeps,
  event: Extract<JiraEvent, { kind: 'issue-updated' }>,
  now: string,
): Promise<ProblemChanges> {
  const out: ProblemChanges = { incidents: [], problems: [] };
  const owner =
    (await deps.problems.issueOwner(event.issueId)) ?? (await deps.problems.issueOwner(event.issueKey));
  if (!owner) return out;
  const done = event.statusCategory === 'done';
  if (owner.kind === 'problem') {
    const p = await deps.problems.updateProblem(owner.id, async (current) => {
      if (!current) return { next: null, result: null };
      let next = current;
      const fix = event.fixVersions[0];
      if (fix !== undefined && !event.fixVersions.includes(next.fixVersion ?? ''))
        next = patchProblem(next, { fixVersion: fix }, now);
      if (event.rootCause && event.rootCause !== next.rootCause)
        next = patchProblem(next, { rootCause: event.rootCause }, now);
      // Closed by a person in Jira (the bridge's own transitions leave its link at `done` already).
      if (done && next.status !== 'closed' && next.jira?.state !== 'done') {
        next = patchProblem(next, { status: 'closed' }, now);
        next = { ...next, jira: next.jira ? { ...next.jira, state: 'done' } : null };
      }
      return { next: next === current ? null : next, result: next === current ? null : next };
    });
    if (p) out.problems.push(p);
    return out;
  }
  if (!done) return out;
  const changed = await deps.store.updateById<Incident | null>(owner.id, async (i) => {
    if (i.status === 'closed' || i.jira?.state === 'done') return { next: null, write: false, result: null };
    const o = close(i, now);
    if (o.kind !== 'changed') return { next: null, write: false, result: null };
    const next: Incident = {
      ...o.incident,
      jira: o.incident.jira ? { ...o.incident.jira, state: 'done' } : null,
    };
    return { next, write: true, result: next };
  });
  if (changed) out.incidents.push(changed);
  return out;
}
