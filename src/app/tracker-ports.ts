import type { FieldUpdate } from '../domain/issue-fields.js';
import type { RichText } from '../domain/rich-text.js';
import type { IssueSpec } from '../domain/tracker-plan.js';

export interface IssueRef {
  readonly key: string;
  readonly url: string;
  /** Jira's numeric id, when the answer gave it. */
  readonly id?: string | undefined;
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
  /** Sets the priority and due date and adds labels, leaving every other field as it is. */
  updateFields(key: string, update: FieldUpdate): Promise<void>;
  comment(key: string, body: RichText): Promise<void>;
  state(key: string): Promise<IssueState>;
  /** Applies the transition of that name (case-insensitive); false when the issue offers none such. */
  transition(key: string, name: string, resolution?: string): Promise<boolean>;
  /** The names of the link types the instance has. */
  linkTypes(): Promise<readonly string[]>;
  /** Records "`from` <outward phrase of the type> `to`" (`PRB-1 causes INC-7`); repeating it is harmless. */
  link(type: string, from: string, to: string): Promise<void>;
  /** Sets the issue's fix version, creating the version in the project when it does not exist. */
  setFixVersion(key: string, project: string, version: string): Promise<void>;
  /** The numeric id of a project, as Jira's webhooks name it. */
  projectId(projectKey: string): Promise<string>;
}

/** Serializes work on one name across every instance of the bridge. */
export interface Locks {
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Asks for an incident to be brought in line with the tracker, soon; many asks in a burst make one job. */
export interface TrackerQueue {
  schedule(incidentId: string): Promise<void>;
}
