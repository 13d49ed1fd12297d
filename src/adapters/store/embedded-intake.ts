import type { Executor } from '../../app/commands.js';
import type { Command, CommandResult, Intake, Logger } from '../../app/ports.js';
import type { FileJournal } from './file-journal.js';
import type { MemorySnapshot, MemoryStore } from './memory-store.js';

export interface EmbeddedOptions {
  /** Take a snapshot and start a new journal segment once the current one is this big. */
  readonly snapshotAfterBytes: number;
}

/**
 * The embedded default: every command is journaled to disk, then carried out in-process, one after
 * another in journal order, so that replaying the journal after a crash gives the very same state.
 */
export class EmbeddedIntake implements Intake {
  private chain: Promise<unknown> = Promise.resolve();
  private executedSeq = 0;
  private snapshotting = false;

  constructor(
    private readonly journal: FileJournal<MemorySnapshot, Command>,
    private readonly store: MemoryStore,
    private readonly execute: Executor,
    private readonly logger: Logger,
    private readonly options: EmbeddedOptions,
  ) {}

  /** Loads the snapshot, replays the journal after it and writes a fresh snapshot. */
  async recover(replay: Executor): Promise<number> {
    const { snapshot, records } = await this.journal.load();
    if (snapshot) this.store.restore(snapshot);
    for (const command of records) await replay(command);
    this.executedSeq = this.journal.lastSeq;
    if (records.length > 0) await this.journal.snapshot(this.store.snapshot(), this.executedSeq);
    return records.length;
  }

  /**
   * Journals the command; once it is on disk, a delivery is answered (the sender is not kept waiting
   * for its processing), while commands from the API wait for their result. Commands are carried out
   * one at a time in journal order, each in its own turn of the event loop so that webhooks keep being
   * answered during a storm.
   */
  submit(command: Command): Promise<CommandResult> {
    const written = this.journal.append(command);
    const seq = this.journal.lastSeq;
    const run = this.chain.then(
      () => written,
      () => written,
    );
    const result = run.then(async () => {
      await new Promise((r) => setImmediate(r));
      const r = await this.execute(command);
      this.executedSeq = seq;
      this.maybeSnapshot();
      return r;
    });
    this.chain = result.catch((e: unknown) => {
      // Journaled but not carried out: a bug, since the decisions are pure. The next start replays it.
      if (command.type === 'ingest')
        this.logger.error('journaled command failed', { type: command.type, error: String(e) });
    });
    if (command.type === 'ingest') return written.then(() => ({ type: 'queued' }));
    return result;
  }

  private maybeSnapshot(): void {
    if (this.snapshotting || this.journal.segmentBytes < this.options.snapshotAfterBytes) return;
    this.snapshotting = true;
    // Taken between two commands, so the state is exactly that of `executedSeq`.
    const state = this.store.snapshot();
    const seq = this.executedSeq;
    this.journal
      .snapshot(state, seq)
      .catch((e: unknown) => this.logger.error('snapshot failed', { error: String(e) }))
      .finally(() => {
        this.snapshotting = false;
      });
  }

  async ready(): Promise<boolean> {
    return this.journal.healthy;
  }

  /** Waits until every command submitted so far has been carried out. */
  async idle(): Promise<void> {
    await this.chain;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.journal.close();
  }
}
