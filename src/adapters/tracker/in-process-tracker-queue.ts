import type { Logger } from '../../app/ports.js';
import type { TrackerQueue } from '../../app/tracker-ports.js';

export interface InProcessTrackerQueueOptions {
  /** Asks within this time of the first are one job. */
  readonly debounceMs: number;
  readonly concurrency: number;
  /** Failed jobs are retried after this, doubling up to `maxRetryMs`, for as long as it takes. */
  readonly retryBaseMs: number;
  readonly maxRetryMs: number;
}

/**
 * The embedded mode's tracker jobs: one per incident at a time, coalesced, retried with backoff until
 * the tracker takes them. Jobs are not journaled: at start every incident that is out of line with its
 * issue is scheduled again.
 */
export class InProcessTrackerQueue implements TrackerQueue {
  private readonly due = new Map<string, number>();
  private readonly running = new Set<string>();
  private readonly failures = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly work: (incidentId: string) => Promise<unknown>,
    private readonly logger: Logger,
    private readonly options: InProcessTrackerQueueOptions,
  ) {}

  async schedule(incidentId: string): Promise<void> {
    this.enqueue(incidentId, this.options.debounceMs);
  }

  private enqueue(id: string, delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    const current = this.due.get(id);
    if (current === undefined || at < current)
      this.due.set(id, current === undefined ? at : Math.min(at, current));
    this.arm();
  }

  private arm(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    let next = Number.POSITIVE_INFINITY;
    for (const [id, at] of this.due) if (!this.running.has(id)) next = Math.min(next, at);
    if (next === Number.POSITIVE_INFINITY) {
      this.timer = null;
      this.notifyIfIdle();
      return;
    }
    this.timer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private pump(): void {
    this.timer = null;
    const now = Date.now();
    for (const [id, at] of this.due) {
      if (this.running.size >= this.options.concurrency) break;
      if (at > now || this.running.has(id)) continue;
      this.due.delete(id);
      this.running.add(id);
      void this.run(id);
    }
    this.arm();
  }

  private async run(id: string): Promise<void> {
    try {
      await this.work(id);
      this.failures.delete(id);
    } catch (e) {
      const n = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, n);
      const delay = Math.min(this.options.maxRetryMs, this.options.retryBaseMs * 2 ** (n - 1));
      this.logger.warn('tracker job failed', {
        incidentId: id,
        attempt: n,
        retryInMs: delay,
        error: String(e),
      });
      this.enqueue(id, delay);
    } finally {
      this.running.delete(id);
      this.arm();
    }
  }

  /** Jobs waiting or running. */
  get size(): number {
    return this.due.size + this.running.size;
  }

  private notifyIfIdle(): void {
    if (this.due.size === 0 && this.running.size === 0) {
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolves when no job is waiting or running (failed jobs waiting for a retry count as waiting). */
  idle(): Promise<void> {
    if (this.due.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Stops starting jobs and waits for the running ones. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 20));
    this.due.clear();
    this.notifyIfIdle();
  }
}
