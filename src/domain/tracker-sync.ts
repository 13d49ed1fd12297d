import { type FieldUpdate, fieldsOf, planFieldUpdate } from './issue-fields.js';
import type { Incident, NewsItem, TrackerFields, TrackerLink } from './model.js';
import type { Problem } from './problems.js';
import type { RichText } from './rich-text.js';
import { contentHash, type IssueSpec, planIssue, renderNews, type TrackerRules } from './tracker-plan.js';

/** What reconciling an incident with its issue takes, worked out from the stored state alone. */
export interface SyncPlan {
  readonly spec: IssueSpec;
  readonly contentHash: string;
  /** No issue is known: find it by its label, or create it. */
  readonly needsIssue: boolean;
  readonly updateContent: boolean;
  /** Priority, due date or labels to change on an existing issue; null when they are in line. */
  readonly fieldUpdate: FieldUpdate | null;
  /** The fields the issue shows once the plan is carried out. */
  readonly fields: TrackerFields;
  /** One comment for every piece of news not yet told; null when there is none. */
  readonly comment: RichText | null;
  readonly newsSeq: number;
  readonly move: 'resolve' | 'reopen' | null;
  /** Nothing to do: no call to the tracker at all. */
  readonly inLine: boolean;
}

const wantsDone = (i: Incident): boolean => i.status === 'resolved' || i.status === 'closed';

export function planSync(incident: Incident, rules: TrackerRules): SyncPlan {
  const spec = planIssue(incident, rules);
  const hash = contentHash(spec);
  const link = incident.jira;
  const lastNews = incident.news.at(-1)?.seq ?? 0;
  const needsIssue = !link?.key;
  // News that happened before the issue existed is in its description already.
  // While it flaps, each resolve and re-fire is no news: the comment saying it flaps said it all.
  const cycle = (n: NewsItem): boolean =>
    incident.flapping && (n.kind === 'resolved' || n.kind === 'reopened');
  const untold: NewsItem[] = needsIssue
    ? []
    : incident.news.filter((n) => n.seq > (link?.newsSeq ?? 0) && !cycle(n));
  const state = needsIssue ? 'open' : (link?.state ?? 'open');
  const move =
    wantsDone(incident) && state === 'open'
      ? 'resolve'
      : !wantsDone(incident) && state === 'done'
        ? 'reopen'
        : null;
  const updateContent = !needsIssue && link?.contentHash !== hash;
  const fieldUpdate = needsIssue ? null : planFieldUpdate(spec, link?.fields);
  return {
    spec,
    contentHash: hash,
    needsIssue,
    updateContent,
    fieldUpdate,
    fields: fieldsOf(spec),
    comment: untold.length > 0 ? renderNews(untold, incident) : null,
    newsSeq: lastNews,
    move,
    inLine: !needsIssue && !updateContent && fieldUpdate === null && untold.length === 0 && move === null,
  };
}

/** Whether the incident changed since the issue was last brought in line. */
export function needsSync(incident: Incident): boolean {
  return (
    incident.jira?.key == null ||
    incident.revision > incident.jira.syncedRevision ||
    Boolean(incident.jira.error)
  );
}

/** Records what the tracker now shows; not a change a human needs to hear of, so no new revision. */
export function recordTrackerLink(incident: Incident, link: TrackerLink): Incident {
  return { ...incident, jira: link };
}

/** Whether the problem changed since its issue was last brought in line. */
export function problemNeedsSync(problem: Problem): boolean {
  return (
    problem.jira?.key == null || problem.revision > problem.jira.syncedRevision || Boolean(problem.jira.error)
  );
}
