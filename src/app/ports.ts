import type {
  AlertEvent,
  DecisionReason,
  Incident,
  IncidentEffect,
  IncidentStatus,
  Priority,
  Source,
  TrackerLink,
} from '../domain/model.js';
import type { Problem, ProblemPatch, ProblemTrackerLink } from '../domain/problems.js';
import type { SlaMark } from '../domain/sla-clock.js';

/** What one webhook delivery handed us, as the domain reads it. */
export interface Delivery {
  readonly source: Source;
  readonly receivedAt: string;
  readonly events: readonly AlertEvent[];
}

/** What the store should do with the incident a key update decided on. */
export interface KeyUpdate<T> {
  /** The incident now current for the key; null leaves the key as it was. */
  readonly next: Incident | null;
  /** False when nothing changed and nothing needs writing. */
  readonly write: boolean;
  readonly result: T;
}

export interface IncidentQuery {
  readonly status?: IncidentStatus | undefined;
  readonly source?: Source | undefined;
  readonly limit: number;
}

/**
 * Incidents, stored. One port, two adapters: memory (embedded, made durable by the journal) and Redis.
 * Updates of one key or one incident are atomic against every other writer, in this process or another.
 */
export interface IncidentStore {
  updateByKey<T>(key: string, fn: (current: Incident | null) => Promise<KeyUpdate<T>>): Promise<T>;
  /** Runs `fn` on the incident; a null `next` leaves it unchanged. Answers null for an unknown id. */
  updateById<T>(id: string, fn: (current: Incident) => Promise<KeyUpdate<T>>): Promise<T | null>;
  get(id: string): Promise<Incident | null>;
  /** Newest first. */
  list(query: IncidentQuery): Promise<Incident[]>;
  nextIncidentId(): Promise<string>;
  countByStatus(): Promise<Record<IncidentStatus, number>>;
  /** Open and acknowledged incidents by priority (`none` for those without one): cheap, for /metrics. */
  countActiveByPriority(): Promise<Record<Priority | 'none', number>>;
}

/** The commands that change state; in the embedded mode each is journaled before it is carried out. */
export type Command =
  | { readonly type: 'ingest'; readonly delivery: Delivery }
  | { readonly type: 'ack'; readonly incidentId: string; readonly by: string | null; readonly at: string }
  | { readonly type: 'close'; readonly incidentId: string; readonly at: string }
  | { readonly type: 'tracker-synced'; readonly incidentId: string; readonly link: TrackerLink }
  /** The scheduled SLA check found a warning or a breach due at `at`. */
  | { readonly type: 'sla-mark'; readonly incidentId: string; readonly mark: SlaMark; readonly at: string }
  | {
      readonly type: 'problem-create';
      readonly title: string;
      readonly incidentIds: readonly string[];
      readonly at: string;
    }
  | {
      readonly type: 'problem-link';
      readonly incidentId: string;
      readonly problemId: string | null;
      readonly at: string;
    }
  | {
      readonly type: 'problem-patch';
      readonly problemId: string;
      readonly patch: ProblemPatch;
      readonly at: string;
    }
  | { readonly type: 'problem-tracker-synced'; readonly problemId: string; readonly link: ProblemTrackerLink }
  | {
      readonly type: 'release';
      readonly version: string;
      readonly project?: string | undefined;
      readonly at: string;
    }
  | {
      readonly type: 'jira-event';
      readonly deliveryId: string | null;
      readonly event: JiraEvent;
      readonly at: string;
    };

/** What a Jira webhook told us, read by the webhook adapter; nothing past it knows Jira's payloads. */
export type JiraEvent =
  | { readonly kind: 'version-released'; readonly version: string; readonly project: string }
  | {
      readonly kind: 'issue-updated';
      readonly issueId: string;
      readonly issueKey: string;
      readonly fixVersions: readonly string[];
      /** Jira's status category of the issue now: `new`, `indeterminate` or `done`. */
      readonly statusCategory: string;
      /** The root-cause conclusion, when the issue carries one (configured field or resolving comment). */
      readonly rootCause: string | null;
    }
  | {
      readonly kind: 'link-created' | 'link-deleted';
      readonly sourceIssueId: string;
      readonly destinationIssueId: string;
    };

/** Takes a command durably (journal or queue) and, where it can, carries it out at once. */
export interface Intake {
  submit(command: Command): Promise<CommandResult>;
  /** True while the intake can take commands durably. */
  ready(): Promise<boolean>;
}

export type CommandResult =
  | { readonly type: 'queued' }
  | { readonly type: 'ingested'; readonly decisions: readonly IngestDecision[] }
  | { readonly type: 'incident'; readonly incident: Incident | null; readonly rejected?: string | undefined }
  | { readonly type: 'problem'; readonly problem: Problem | null; readonly rejected?: string | undefined }
  | {
      readonly type: 'released';
      readonly problemIds: readonly string[];
      readonly incidentIds: readonly string[];
    }
  | { readonly type: 'done' };

export interface IngestDecision {
  readonly alertId: string;
  readonly incidentId: string | null;
  readonly reason: DecisionReason;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The bridge's own figures; adapters decide how they are exported. */
export interface Metrics {
  alertsReceived(source: Source, count: number): void;
  decision(reason: DecisionReason): void;
  webhookRequest(source: string, code: number, seconds: number): void;
}

/** Something outside the core wants to hear what changed (later: the tracker, notifications). */
export interface EffectSink {
  publish(
    effects: readonly IncidentEffect[],
    incidents: readonly Incident[],
    problems?: readonly Problem[],
  ): Promise<void>;
}
