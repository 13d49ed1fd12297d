import { Worker } from 'node:worker_threads';
import type { Logger } from '../../app/ports.js';
import type { Source } from '../../domain/model.js';
import { threadEntry } from '../queue/thread-entry.js';
import type { CheckBody } from './body-check.js';
import { AppError, type ErrorDetail } from './errors.js';

/** Main → thread: one body to check. */
export interface CheckRequest {
  readonly id: number;
  readonly source: Source;
  readonly text: string;
}

/** Thread → main: its alerts, the 400 it deserves, or what went wrong in the thread. */
export type CheckReply =
  | { readonly id: number; readonly alerts: number }
  | {
      readonly id: number;
      readonly refused: {
        readonly status: number;
        readonly code: string;
        readonly message: string;
        readonly details: readonly ErrorDetail[];
      };
    }
  | { readonly id: number; readonly failed: string };

/**
 * A check thread keeps nothing: what it allocates is a body's parse, dead once its reply is sent. A
 * small young generation is plenty for that and keeps the process's memory low (V8's default is
 * about 48 MB; in five interleaved pairs of Redis-mode bench runs it took no throughput and about
 * 10 MB of peak RSS less). The old generation is left unbounded: a body as large as MAX_BODY_BYTES allows must
 * not run the thread out of memory, or its sender, told to try again, would kill it at every try.
 */
const YOUNG_GENERATION_MB = 8;

interface Pending {
  readonly ok: (alerts: number) => void;
  readonly fail: (e: Error) => void;
}

interface Slot {
  worker: Worker | null;
  readonly pending: Map<number, Pending>;
}

export interface BodyCheckThreadsOptions {
  readonly count: number;
  readonly logger: Logger;
  /** Checks a body on this thread: while no check thread runs (one died and is not back yet). */
  readonly inline: CheckBody;
  /** Wait before a thread that died is started again. */
  readonly restartDelayMs?: number;
}

/**
 * Threads that check webhook bodies (JSON and schema) for the thread answering senders. Parsing a
 * body is most of a webhook's work; done here, the answering thread reads requests and hands bodies
 * to the intake while another core parses (see README, Performance). A body goes to the thread with the
 * fewest in hand; a check that cannot be made because its thread died rejects (the sender gets 503
 * and sends again), and while no thread runs, bodies are checked on the calling thread.
 */
export class BodyCheckThreads {
  private readonly slots: Slot[];
  private readonly entry = threadEntry('check-thread');
  private nextId = 0;
  private closing = false;

  constructor(private readonly options: BodyCheckThreadsOptions) {
    this.slots = Array.from({ length: options.count }, () => ({ worker: null, pending: new Map() }));
    for (const [n, slot] of this.slots.entries()) this.spawn(slot, n);
  }

  readonly check: CheckBody = (source, text) => {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.worker !== null && (best === undefined || slot.pending.size < best.pending.size)) best = slot;
    }
    if (best?.worker == null) return this.options.inline(source, text);
    const worker = best.worker;
    const id = this.nextId++;
    const { pending } = best;
    return new Promise<number>((ok, fail) => {
      pending.set(id, { ok, fail });
      worker.postMessage({ id, source, text } satisfies CheckRequest);
    });
  };

  private spawn(slot: Slot, n: number): void {
    const worker = new Worker(this.entry.entry, {
      eval: this.entry.eval,
      name: `check-${n}`,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    slot.worker = worker;
    worker.on('message', (m: CheckReply) => {
      const waiting = slot.pending.get(m.id);
      if (waiting === undefined) return;
      slot.pending.delete(m.id);
      if ('alerts' in m) waiting.ok(m.alerts);
      else if ('refused' in m) {
        const r = m.refused;
        waiting.fail(new AppError(r.status, r.code, r.message, r.details));
      } else waiting.fail(new Error(`body check failed: ${m.failed}`));
    });
    worker.on('error', (e) =>
      this.options.logger.error('body check thread failed', { thread: n, error: String(e) }),
    );
    worker.on('exit', (code) => {
      slot.worker = null;
      const lost = [...slot.pending.values()];
      slot.pending.clear();
      for (const p of lost) p.fail(new Error('the body check thread stopped'));
      if (this.closing) return;
      this.options.logger.error('body check thread stopped, starting it again', { thread: n, code });
      setTimeout(() => {
        if (!this.closing) this.spawn(slot, n);
      }, this.options.restartDelayMs ?? 1_000).unref();
    });
  }

  /** Threads running now (one that died counts again once it is started again). */
  running(): number {
    return this.slots.filter((slot) => slot.worker !== null).length;
  }

  /** Stops the threads; checks still in hand reject. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()));
  }
}
