import type { RichText } from '../domain/rich-text.js';
import type { IssueSpec } from '../domain/tracker-plan.js';

export interface IssueRef {
  readonly key: string;
  readonly url: string;
}

export interface IssueState {
  readonly status: string;
  /** Jira's status category: `new`, `indeterminate` or `done`. */
  readonly category: string;
  readonly resolution: string | null;
}

/** The issue tracker, as narrow as the reconciliation needs it. */
export interface IssueTracker {
  /** The issue carrying `label` in `project`, if there is one. */
  findByLabel(project: string, label: string): Promise<IssueRef | null>;
  create(spec: IssueSpec): Promise<IssueRef>;
  updateContent(key: string, spec: Pick<IssueSpec, 'summary' | 'description'>): Promise<void>;
  comment(key: string, body: RichText): Promise<void>;
  state(key: string): Promise<IssueState>;
  /** Applies the transition of that name (case-insensitive); false when the issue offers none such. */
  transition(key: string, name: string, resolution?: string): Promise<boolean>;
}

/** Serializes work on one name across every instance of the bridge. */
export interface Locks {
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Asks for an incident to be brought in line with the tracker, soon; many asks in a burst make one job. */
export interface TrackerQueue {
  schedule(incidentId: string): Promise<void>;
}
