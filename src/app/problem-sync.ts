import type { Incident } from '../domain/model.js';
import { type ProblemIssueRules, planProblemSync, problemLabel } from '../domain/problem-plan.js';
import type { ProblemTrackerLink } from '../domain/problems.js';
import { findOrCreateIssue } from './issue-creation.js';
import type { Clock, IncidentStore, Intake, Logger } from './ports.js';
import type { ProblemStore } from './problem-ports.js';
import type { IssueTracker, Locks } from './tracker-ports.js';

export interface ProblemSyncDeps {
  readonly store: Pick<IncidentStore, 'get'>;
  readonly problems: Pick<ProblemStore, 'getProblem'>;
  readonly intake: Pick<Intake, 'submit'>;
  readonly tracker: IssueTracker;
  readonly locks: Locks;
  readonly rules: ProblemIssueRules;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly searchLagMs: number;
  readonly onIssueCreated?: (() => void) | undefined;
}

/**
 * Brings the problem's issue in line with the problem: creates it if missing (found again by its label
 * first), rewrites its description, tells its news, sets its fix version, links it to each incident's
 * issue ("PRB causes INC"), and resolves it as fixed on release or reopens it on a regression.
 */
export async function syncProblem(
  deps: ProblemSyncDeps,
  problemId: string,
): Promise<'synced' | 'in-line' | 'missing'> {
  return deps.locks.withLock(`tracker:${problemId}`, async () => {
    const problem = await deps.problems.getProblem(problemId);
    if (!problem) return 'missing';
    const incidents = (await Promise.all(problem.incidentIds.map((id) => deps.store.get(id)))).filter(
      (i): i is Incident => i !== null,
    );
    const plan = planProblemSync(problem, incidents, deps.rules);
    const now = () => deps.clock.now().toISOString();
    const save = (link: ProblemTrackerLink) =>
      deps.intake.submit({ type: 'problem-tracker-synced', problemId, link: { ...link, error: undefined } });
    let link: ProblemTrackerLink = problem.jira ?? {
      key: null,
      url: null,
      syncedAt: null,
      syncedRevision: 0,
      newsSeq: 0,
      state: 'open',
      contentHash: '',
      linkedKeys: [],
      fixVersion: null,
    };
    const nothingToDo =
      !plan.needsIssue &&
      !plan.updateContent &&
      !plan.comment &&
      plan.linkKeys.length === 0 &&
      !plan.setFixVersion &&
      !plan.move &&
      !link.error;
    if (nothingToDo) {
      if (link.syncedRevision !== problem.revision) await save({ ...link, syncedRevision: problem.revision });
      return 'in-line';
    }
    try {
      let updateContent = plan.updateContent;
      if (plan.needsIssue) {
        const { ref, found } = await findOrCreateIssue(
          deps,
          plan.spec,
          problemLabel(problemId),
          link.createRequestedAt,
          async (at) => {
            link = { ...link, createRequestedAt: at };
            await save(link);
          },
        );
        deps.logger.info(found ? 'problem issue found again' : 'problem issue created', {
          problemId,
          key: ref.key,
        });
        link = {
          ...link,
          key: ref.key,
          url: ref.url,
          issueId: ref.id,
          newsSeq: plan.newsSeq,
          contentHash: found ? '' : plan.contentHash,
          createRequestedAt: undefined,
        };
        await save(link);
        updateContent = found;
      }
      const key = link.key ?? '';
      if (updateContent) await deps.tracker.updateContent(key, plan.spec);
      if (plan.setFixVersion) {
        await deps.tracker.setFixVersion(key, plan.spec.project, plan.setFixVersion);
        link = { ...link, fixVersion: plan.setFixVersion };
      }
      if (plan.linkKeys.length > 0) {
        const types = await deps.tracker.linkTypes();
        const type = types.includes(deps.rules.linkType) ? deps.rules.linkType : 'Relates';
        for (const incidentKey of plan.linkKeys) {
          await deps.tracker.link(type, key, incidentKey);
          link = { ...link, linkedKeys: [...link.linkedKeys, incidentKey] };
        }
      }
      if (plan.comment) await deps.tracker.comment(key, plan.comment);
      let state = link.state;
      if (plan.move === 'resolve' && deps.rules.transitions.resolve) {
        await deps.tracker.transition(key, deps.rules.transitions.resolve, deps.rules.releaseResolution);
        state = 'done';
      } else if (plan.move === 'reopen' && deps.rules.transitions.reopen) {
        await deps.tracker.transition(key, deps.rules.transitions.reopen);
        state = 'open';
      } else if (plan.move) {
        state = plan.move === 'resolve' ? 'done' : 'open';
      }
      await save({
        ...link,
        state,
        newsSeq: plan.newsSeq,
        contentHash: plan.contentHash,
        syncedRevision: problem.revision,
        syncedAt: now(),
      });
      return 'synced';
    } catch (e) {
      await deps.intake
        .submit({
          type: 'problem-tracker-synced',
          problemId,
          link: { ...link, error: e instanceof Error ? e.message : String(e) },
        })
        .catch(() => undefined);
      throw e;
    }
  });
}
