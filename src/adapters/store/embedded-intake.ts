import type { Executor } from '../../app/commands.js';
import type { Command, CommandResult, Intake, Logger } from '../../app/ports.js';
import type { AlertEvent, Source } from '../../domain/model.js';
import type { RawDelivery, RawDeliveryIntake } from '../http/webhook-route.js';
import { Hold } from '../queue/intake-pacer.js';
import type { FileJournal } from './file-journal.js';
import type { MemorySnapshot, MemoryStore } from './memory-store.js';

export interface EmbeddedOptions {
  /** Take a snapshot and start a new journal segment once the current one is this big. */
  readonly snapshotAfterBytes: number;
  /** Reads a parsed webhook body into events (the webhook checked it already). */
  readonly decodePayload: (source: Source, payload: unknown) => readonly AlertEvent[];
}

/** A webhook delivery as journaled: the body itself is the record's `payload`, written as received. */
export interface DeliveryRecord {
  readonly type: 'delivery';
  readonly source: Source;
  readonly receivedAt: string;
  /** Present when read back from the journal. */
  readonly payload?: unknown;
}

export type JournalRecord = Command | DeliveryRecord;

interface Pending {
  readonly written: Promise<void>;
  readonly seq: number;
  /** A command someone waits on (from the API): it is not held back for the senders. */
  readonly awaited: boolean;
  readonly run: () => Promise<CommandResult>;
  readonly settle: { ok(r: CommandResult): void; fail(e: unknown): void };
}

/**
 * The embedded default: every command is journaled to disk, then carried out in-process, one after
 * another in journal order, so that replaying the journal after a crash gives the very same state.
 * A webhook delivery is journaled as the sender wrote it and read back into events only when its
 * turn comes. While `hold` says the senders keep the bridge busy, deliveries wait (on disk) so that
 * answering the senders gets the CPU; a command from the API is not held.
 */
export class EmbeddedIntake implements Intake, RawDeliveryIntake {
  private readonly pending: Pending[] = [];
  private draining: Promise<void> | null = null;
  private executedSeq = 0;
  /** The snapshot being written, if any: written in slices, it may outlast a few commands. */
  private snapshotting: Promise<void> | null = null;
  private deliveries = 0;
  private readonly held = new Hold();
  /** Set while the drain waits out a hold: a command someone waits on ends the wait. */
  private wake: (() => void) | null = null;

  constructor(
    private readonly journal: FileJournal<MemorySnapshot, JournalRecord>,
    private readonly store: MemoryStore,
    private readonly execute: Executor,
    private readonly logger: Logger,
    private readonly options: EmbeddedOptions,
  ) {}

  /** Loads the snapshot, replays the journal after it and writes a fresh snapshot. */
  async recover(replay: Executor): Promise<number> {
    const { snapshot, records } = await this.journal.load();
    if (snapshot) this.store.restore(snapshot);
    for (const record of records) {
      if (record.type !== 'delivery') {
        await replay(record);
        continue;
      }
      const { source, receivedAt, payload } = record;
      let events: readonly AlertEvent[];
      try {
        events = this.options.decodePayload(source, payload);
      } catch (e) {
        // Checked when it came in; only a rule of a newer schema could refuse it now.
        this.logger.error('journaled delivery no longer readable, skipped', { source, error: String(e) });
        continue;
      }
      await replay({ type: 'ingest', delivery: { source, receivedAt, events } });
    }
    this.executedSeq = this.journal.lastSeq;
    if (records.length > 0) await this.journal.snapshot(this.store.snapshot(), this.executedSeq);
    return records.length;
  }

  /**
   * Journals the command; once it is on disk, a delivery is answered (the sender is not kept waiting
   * for its processing), while commands from the API wait for their result.
   */
  submit(command: Command): Promise<CommandResult> {
    const written = this.journal.append(command);
    const result = this.enqueue(written, command.type !== 'ingest', () => this.execute(command));
    if (command.type !== 'ingest') return result;
    result.catch(() => undefined);
    return written.then(() => ({ type: 'queued' }));
  }

  /**
   * Journals a checked webhook body as it is; resolves once it is on disk. Until its turn comes the
   * body waits there, not in memory: it is read back from the journal then.
   */
  submitRaw(delivery: RawDelivery): Promise<void> {
    const { source, receivedAt, body } = delivery;
    this.deliveries++;
    const record: DeliveryRecord = { type: 'delivery', source, receivedAt };
    const placed = this.journal.appendPayload(record, body);
    const written = placed.then(() => undefined);
    this.enqueue(written, false, async () => {
      const payload = await this.journal.readPayload(await placed);
      const events = this.options.decodePayload(source, JSON.parse(payload.toString('utf8')));
      return this.execute({ type: 'ingest', delivery: { source, receivedAt, events } });
    }).catch(() => undefined);
    return written;
  }

  /** Webhook deliveries taken so far (a counter, for pacing). */
  deliveriesTaken(): number {
    return this.deliveries;
  }

  /** Holds deliveries back (true) or lets them go (false); commands from the API still run. */
  hold(hold: boolean): void {
    if (hold) this.held.hold();
    else this.held.release();
  }

  private enqueue(
    written: Promise<void>,
    awaited: boolean,
    run: () => Promise<CommandResult>,
  ): Promise<CommandResult> {
    const seq = this.journal.lastSeq;
    return new Promise<CommandResult>((ok, fail) => {
      this.pending.push({ written, seq, awaited, run, settle: { ok, fail } });
      if (awaited) this.wake?.();
      this.draining ??= this.drain();
    });
  }

  /**
   * Carries the pending commands out one at a time, in journal order, each in its own turn of the
   * event loop. It says it is done in the same turn as it finds nothing left, so that a command
   * submitted right after starts the next drain rather than wait on this one.
   */
  private async drain(): Promise<void> {
    for (let next = this.pending[0]; next !== undefined; next = this.pending[0]) {
      try {
        await next.written;
      } catch (e) {
        // Not on disk: not carried out either (the sender got a 503 and sends it again).
        this.pending.shift();
        next.settle.fail(e);
        continue;
      }
      for (;;) {
        const until = this.held.whileHeld();
        if (!until || this.pending.some((p) => p.awaited)) break;
        await new Promise<void>((go) => {
          this.wake = go;
          void until.then(go);
        });
        this.wake = null;
      }
      await new Promise((r) => setImmediate(r));
      this.pending.shift();
      try {
        const result = await next.run();
        this.executedSeq = next.seq;
        this.maybeSnapshot();
        next.settle.ok(result);
      } catch (e) {
        // Journaled but not carried out: a bug, since the decisions are pure. The next start replays it.
        if (!next.awaited) this.logger.error('journaled command failed', { error: String(e) });
        next.settle.fail(e);
      }
    }
    this.draining = null;
  }

  private maybeSnapshot(): void {
    if (this.snapshotting || this.journal.segmentBytes < this.options.snapshotAfterBytes) return;
    // Taken between two commands, so the state is exactly that of `executedSeq`.
    const state = this.store.snapshot();
    const seq = this.executedSeq;
    this.snapshotting = this.journal
      .snapshot(state, seq)
      .catch((e: unknown) => this.logger.error('snapshot failed', { error: String(e) }))
      .finally(() => {
        this.snapshotting = null;
      });
  }

  async ready(): Promise<boolean> {
    return this.journal.healthy;
  }

  /** Waits until every command submitted so far has been carried out (a hold is let go first). */
  async idle(): Promise<void> {
    while (this.draining) {
      this.hold(false);
      await this.draining;
    }
  }

  async close(): Promise<void> {
    await this.idle();
    // A snapshot still being written finishes first: it ends by starting a new segment.
    await this.snapshotting;
    await this.journal.close();
  }
}
