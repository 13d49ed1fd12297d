import { planFieldUpdate } from '../domain/issue-fields.js';
import type { TrackerLink } from '../domain/model.js';
import { incidentLabel, type TrackerRules } from '../domain/tracker-plan.js';
import { planSync } from '../domain/tracker-sync.js';
import { findOrCreateIssue } from './issue-creation.js';
import type { Clock, IncidentStore, Intake, Logger } from './ports.js';
import type { IssueTracker, Locks } from './tracker-ports.js';

export interface TrackerSyncDeps {
  readonly store: Pick<IncidentStore, 'get'>;
  readonly intake: Pick<Intake, 'submit'>;
  readonly tracker: IssueTracker;
  readonly locks: Locks;
  readonly rules: TrackerRules;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onIssueCreated?: (() => void) | undefined;
  /** The incident's issue now exists: its problem's issue can link to it. */
  readonly onIncidentIssue?: ((problemId: string) => void) | undefined;
  /** The resolution set when a release closed the incident (`Fixed`). */
  readonly releaseResolution?: string | undefined;
  /** How long after a create whose answer was lost the search is trusted to show that issue. */
  readonly searchLagMs: number;
}

export type SyncOutcome = 'synced' | 'in-line' | 'missing';

/**
 * Brings the incident's issue in line with the incident: creates it if missing (found again by its
 * label first, so a crash between "Jira created it" and "we stored the key" never makes a second one),
 * rewrites its content when it changed, tells the news in one comment, and moves it to done or back.
 * Holds the incident's lock throughout, so two instances never sync one incident at once.
 */
export async function syncIncident(deps: TrackerSyncDeps, incidentId: string): Promise<SyncOutcome> {
  return deps.locks.withLock(`tracker:${incidentId}`, async () => {
    const incident = await deps.store.get(incidentId);
    if (!incident) return 'missing';
    const plan = planSync(incident, deps.rules);
    if (plan.inLine && !incident.jira?.error && incident.jira?.syncedRevision === incident.revision)
      return 'in-line';
    const now = () => deps.clock.now().toISOString();
    const save = async (link: TrackerLink) => {
      await deps.intake.submit({ type: 'tracker-synced', incidentId, link });
    };

    let link: TrackerLink = incident.jira ?? {
      key: null,
      url: null,
      syncedAt: null,
      syncedRevision: 0,
      newsSeq: 0,
      state: 'open',
      contentHash: '',
    };
    try {
      let updateContent = plan.updateContent;
      let fieldUpdate = plan.fieldUpdate;
      if (plan.needsIssue) {
        const { ref, found } = await findOrCreateIssue(
          deps,
          plan.spec,
          incidentLabel(incidentId),
          link.createRequestedAt,
          async (at) => {
            link = { ...link, createRequestedAt: at };
            await save(link);
          },
        );
        if (incident.problemId) deps.onIncidentIssue?.(incident.problemId);
        deps.logger.info(found ? 'issue found again' : 'issue created', { incidentId, key: ref.key });
        link = {
          ...link,
          createRequestedAt: undefined,
          key: ref.key,
          url: ref.url,
          issueId: ref.id,
          newsSeq: plan.newsSeq,
          contentHash: found ? '' : plan.contentHash,
          fields: found ? undefined : plan.fields,
        };
        // Stored at once: from here on a retry never searches or creates again.
        await save({ ...link, error: undefined });
        updateContent = found;
        fieldUpdate = found ? planFieldUpdate(plan.spec, undefined) : null;
      }
      const key = link.key ?? '';
      if (updateContent) await deps.tracker.updateContent(key, plan.spec);
      if (fieldUpdate) await deps.tracker.updateFields(key, fieldUpdate);
      if (plan.comment) await deps.tracker.comment(key, plan.comment);
      let state = link.state;
      if (plan.move === 'resolve' && deps.rules.transitions.resolve) {
        // A release closed it: resolved as fixed, not merely done.
        const released =
          incident.status === 'closed' && incident.news.some((n) => n.kind === 'fixed-in-release');
        const resolution = released
          ? (deps.releaseResolution ?? deps.rules.resolveResolution)
          : deps.rules.resolveResolution;
        await deps.tracker.transition(key, deps.rules.transitions.resolve, resolution);
        state = 'done';
      } else if (plan.move === 'reopen' && deps.rules.transitions.reopen) {
        const now = await deps.tracker.state(key);
        const wontFix =
          now.resolution !== null &&
          deps.rules.noReopenResolutions.some((r) => r.toLowerCase() === now.resolution?.toLowerCase());
        if (wontFix) deps.logger.info('issue not reopened', { incidentId, key, resolution: now.resolution });
        else await deps.tracker.transition(key, deps.rules.transitions.reopen);
        state = wontFix ? 'done' : 'open';
      } else if (plan.move !== null) {
        // No transition configured: the bridge leaves the issue's status to people.
        state = plan.move === 'resolve' ? 'done' : 'open';
      }
      await save({
        ...link,
        state,
        newsSeq: plan.newsSeq,
        contentHash: plan.contentHash,
        fields: plan.fields,
        syncedRevision: incident.revision,
        syncedAt: now(),
        error: undefined,
      });
      return 'synced';
    } catch (e) {
      await save({ ...link, error: e instanceof Error ? e.message : String(e) }).catch(() => undefined);
      throw e;
    }
  });
}
