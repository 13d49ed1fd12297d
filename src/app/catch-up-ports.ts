import type { CatchUpKind, SenderView } from '../domain/catch-up-plan.js';
import type { AlertState, Source } from '../domain/model.js';

/** A sender's API, as narrow as the catch-up needs it: what it says now about the alerts it sent. */
export interface SenderReader {
  readonly source: Source;
  /**
   * What the sender says now. `firing` are the alerts of this source the bridge holds as firing, for
   * senders that must be asked about them one by one. Throws when the sender cannot answer.
   */
  read(firing: readonly AlertState[], signal: AbortSignal): Promise<SenderView>;
}

export type CatchUpOutcome = 'ok' | 'failed' | 'skipped';

/** The catch-up's figures; adapters decide how they are exported. */
export interface CatchUpMetrics {
  caughtUp(source: Source, kind: CatchUpKind, count: number): void;
  run(source: Source, outcome: CatchUpOutcome): void;
  /** A call to a sender's API failed (`op`: the API method or endpoint, a bounded set). */
  apiError(source: Source, op: string): void;
}
