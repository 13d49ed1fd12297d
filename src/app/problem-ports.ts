import type { Correlation, Problem, ProblemStatus } from '../domain/problems.js';

export interface DocUpdate<D, T> {
  /** What to store; null leaves the document as it was. */
  readonly next: D | null;
  readonly result: T;
}

/** Whose issue a Jira issue is: webhooks name issues by id or key. */
export interface IssueOwner {
  readonly kind: 'incident' | 'problem';
  readonly id: string;
}

/**
 * Problems, their correlation counts, which Jira issue belongs to whom, and the Jira webhook
 * deliveries already handled. Updates of one document are atomic against every other writer.
 */
export interface ProblemStore {
  getProblem(id: string): Promise<Problem | null>;
  /** Newest first. */
  listProblems(query: {
    readonly status?: ProblemStatus | undefined;
    readonly limit: number;
  }): Promise<Problem[]>;
  nextProblemId(): Promise<string>;
  updateProblem<T>(id: string, fn: (current: Problem | null) => Promise<DocUpdate<Problem, T>>): Promise<T>;
  updateCorrelation<T>(
    key: string,
    fn: (current: Correlation | null) => Promise<DocUpdate<Correlation, T>>,
  ): Promise<T>;
  issueOwner(issueIdOrKey: string): Promise<IssueOwner | null>;
  setIssueOwner(owner: IssueOwner, issueIdsAndKeys: readonly string[]): Promise<void>;
  /** Records a webhook delivery id seen at `at`; false when it was recorded before. */
  rememberDelivery(id: string, at: string): Promise<boolean>;
}
