import type { IssueSpec } from '../domain/tracker-plan.js';
import type { Clock } from './ports.js';
import type { IssueRef, IssueTracker } from './tracker-ports.js';

export interface IssueCreationDeps {
  readonly tracker: IssueTracker;
  readonly clock: Clock;
  /** How long after a create whose answer was lost the search is trusted to show that issue. */
  readonly searchLagMs: number;
  readonly onIssueCreated?: (() => void) | undefined;
}

/**
 * Finds the issue carrying `label`, or creates it, never twice: the intent to create is recorded
 * before the create, and a create whose answer was lost (a crash, a dropped connection) is searched
 * for until Jira's search has caught up, before another is tried.
 */
export async function findOrCreateIssue(
  deps: IssueCreationDeps,
  spec: IssueSpec,
  label: string,
  createRequestedAt: string | undefined,
  recordIntent: (at: string) => Promise<void>,
): Promise<{ readonly ref: IssueRef; readonly found: boolean }> {
  const found = await deps.tracker.findByLabel(spec.project, label);
  if (found) return { ref: found, found: true };
  const asked = createRequestedAt ? Date.parse(createRequestedAt) : null;
  if (asked !== null && deps.clock.now().getTime() - asked < deps.searchLagMs) {
    throw new Error('waiting for the tracker search to show an issue created before');
  }
  await recordIntent(deps.clock.now().toISOString());
  const ref = await deps.tracker.create(spec);
  deps.onIssueCreated?.();
  return { ref, found: false };
}
