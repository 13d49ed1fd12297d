/**
 * The domain model: alerts as the bridge sees them once a source mapper has read the wire format,
 * and incidents, the unit a human works on. Timestamps are ISO-8601 strings in UTC.
 */

export const SOURCES = ['alertmanager', 'zabbix'] as const;
export type Source = (typeof SOURCES)[number];

export type AlertStatus = 'firing' | 'resolved';

export const SEVERITIES = ['unknown', 'info', 'warning', 'average', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Labels = Readonly<Record<string, string>>;

/** What a sender told us about one alert in one delivery. */
export interface AlertEvent {
  /** Stable identity of the alert across its firing, updates and recovery (`am:<fingerprint>`, `zabbix:<eventid>`). */
  readonly id: string;
  readonly source: Source;
  readonly status: AlertStatus;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: string;
  /** When the alert resolved; null while it fires. */
  readonly endsAt: string | null;
  readonly url: string | null;
  readonly title: string;
  readonly severity: Severity;
  /** A human acknowledged the alert at its source (Zabbix "acknowledged"). */
  readonly ack?:
    | { readonly by: string | null; readonly message: string | null; readonly at: string }
    | undefined;
}

/** An alert as kept inside its incident. */
export interface AlertState {
  readonly id: string;
  readonly source: Source;
  readonly status: AlertStatus;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: string;
  readonly endsAt: string | null;
  readonly url: string | null;
  readonly title: string;
  readonly severity: Severity;
}

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface Incident {
  readonly id: string;
  /** The grouping key: which alerts belong together. */
  readonly key: string;
  readonly status: IncidentStatus;
  readonly flapping: boolean;
  readonly title: string;
  readonly severity: Severity;
  readonly sources: readonly Source[];
  /** Labels every alert of the incident shares. */
  readonly labels: Labels;
  readonly alerts: readonly AlertState[];
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  /** Deliveries that changed nothing (repeat_interval re-sends, HA pairs, retries). */
  readonly repeats: number;
  readonly reopenCount: number;
  /** Times at which an alert of the incident fired again after resolving; the basis of flapping. */
  readonly refires: readonly string[];
  /** Grows by one with every change a human could care about; duplicates leave it alone. */
  readonly revision: number;
  /** What happened that the people following the incident should hear of, newest last (bounded). */
  readonly news: readonly NewsItem[];
  /** The incident's issue in the tracker, once it has one. */
  readonly jira: TrackerLink | null;
  /** The root-cause problem the incident is linked to. */
  readonly problemId: string | null;
  /** When correlation looked at the incident (null: not yet, so it still has to). */
  readonly correlatedAt: string | null;
  /** The release that should have fixed it while its alerts still fired: a person should look. */
  readonly releaseFlag: string | null;
  /** From impact × urgency (`rules/priority.yml`); absent on incidents stored before priorities existed. */
  readonly priority?: Priority | undefined;
  /** The service-level clock of its priority; absent without a priority. */
  readonly sla?: SlaClock | undefined;
}

/** P1 is the most pressing. */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** An incident's due times on its priority's calendar, and the marks the scheduled check made. */
export interface SlaClock {
  /** The calendar the resolution target counts on (`24x7`, `business` ...). */
  readonly calendar: string;
  /** That calendar's time zone: due dates are shown in it. */
  readonly timeZone: string;
  /** To acknowledge by. */
  readonly responseDueAt: string;
  /** When 75% of the resolution time is used. */
  readonly warnAt: string;
  /** To resolve by. */
  readonly resolutionDueAt: string;
  /** When the warning, and the breach, were marked: each at most once in the incident's life. */
  readonly warnedAt: string | null;
  readonly breachedAt: string | null;
}

export type NewsKind =
  | 'alerts-joined'
  | 'resolved'
  | 'reopened'
  | 'flapping-started'
  | 'acknowledged'
  | 'problem-linked'
  | 'fixed-in-release'
  | 'still-firing-after-release'
  | 'priority-changed'
  | 'sla-warning'
  | 'sla-breached';

export interface NewsItem {
  /** Increases by one per item over the incident's life. */
  readonly seq: number;
  readonly kind: NewsKind;
  readonly at: string;
  readonly alertIds?: readonly string[] | undefined;
  readonly by?: string | null | undefined;
  /** The problem or the release the news is about. */
  readonly ref?: string | undefined;
  /** The priority the news is about (`priority-changed`). */
  readonly priority?: Priority | undefined;
  /** The resolution due time the news is about (`priority-changed`, `sla-warning`, `sla-breached`). */
  readonly dueAt?: string | undefined;
}

/** What the tracker shows of the incident, as of the last reconciliation. */
export interface TrackerLink {
  /** Null until the issue exists (an error may say why it does not yet). */
  readonly key: string | null;
  /** Jira's numeric issue id: webhooks about links name issues by it. */
  readonly issueId?: string | undefined;
  readonly url: string | null;
  readonly syncedAt: string | null;
  /** The incident revision the issue reflects. */
  readonly syncedRevision: number;
  /** News up to this seq has been told in the tracker. */
  readonly newsSeq: number;
  /** Whether the issue was last moved to done or left open by the bridge. */
  readonly state: 'open' | 'done';
  /** Fingerprint of the summary and description last written, to skip writes that change nothing. */
  readonly contentHash: string;
  /** When the bridge last asked the tracker to create the issue: the answer may have been lost. */
  readonly createRequestedAt?: string | undefined;
  readonly error?: string | undefined;
  /** Priority, due date and labels last written (absent: not known, as for issues of older versions). */
  readonly fields?: TrackerFields | undefined;
}

/** The fields of an issue the bridge keeps current besides its text. */
export interface TrackerFields {
  readonly priority: string | null;
  /** `YYYY-MM-DD`. */
  readonly dueDate: string | null;
  readonly labels: readonly string[];
}

/** Why a decision came out as it did: the same words in logs, metrics and tests. */
export const DECISION_REASONS = [
  'new-incident',
  'new-alert',
  'duplicate',
  'alert-updated',
  'alert-resolved',
  'alert-refired',
  'incident-resolved',
  'reopened',
  'flapping',
  'acknowledged',
  'stale',
  'unknown-resolved',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/** What must happen outside the domain because of a decision. */
export type IncidentEffect =
  | { readonly type: 'incident-opened'; readonly incidentId: string }
  | { readonly type: 'alerts-joined'; readonly incidentId: string; readonly alertIds: readonly string[] }
  | { readonly type: 'incident-resolved'; readonly incidentId: string }
  | { readonly type: 'incident-reopened'; readonly incidentId: string }
  | { readonly type: 'flapping-started'; readonly incidentId: string }
  | { readonly type: 'incident-acknowledged'; readonly incidentId: string; readonly by: string | null }
  | {
      readonly type: 'priority-changed';
      readonly incidentId: string;
      readonly priority: Priority;
      readonly previous: Priority;
    }
  | { readonly type: 'sla-warning' | 'sla-breached'; readonly incidentId: string; readonly dueAt: string }
  | { readonly type: 'ticket-created'; readonly incidentId: string; readonly key: string }
  /** The incident was linked to a root-cause problem: people following it are told (NOTIFY_URL). */
  | { readonly type: 'problem-linked'; readonly incidentId: string; readonly problemId: string }
  /** The release that fixed the incident's problem closed it: people following it are told. */
  | { readonly type: 'release-closed'; readonly incidentId: string; readonly version: string };
