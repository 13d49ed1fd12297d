import type { Source } from '../domain/model.js';
import type { CatchUpMetrics, CatchUpOutcome } from './catch-up-ports.js';
import type { Logger } from './ports.js';
import type { Locks } from './tracker-ports.js';

export interface CatchUpJob {
  readonly source: Source;
  /** Pause between the end of one pass and the start of the next. */
  readonly everyMs: number;
  /** One pass; the signal aborts it on shutdown. */
  run(signal: AbortSignal): Promise<unknown>;
}

export interface CatchUpSchedulerDeps {
  /**
   * Held across instances for the whole pass. A lock that cannot be had at once means another instance
   * is running the pass: this one skips it rather than repeat it.
   */
  readonly locks: Locks;
  readonly logger: Logger;
  readonly metrics: Pick<CatchUpMetrics, 'run'>;
}

/**
 * Runs a catch-up job at start and then every `everyMs`, never two passes at once, in this process
 * or (through the lock) in any other instance. A failing pass is logged and counted; it never stops
 * the bridge, and webhooks are handled throughout.
 */
export class CatchUpScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CatchUpOutcome> | null = null;
  private readonly abort = new AbortController();
  private closed = false;

  constructor(
    private readonly deps: CatchUpSchedulerDeps,
    private readonly job: CatchUpJob,
  ) {}

  /** Starts the first pass now (without waiting for it) and schedules the next ones. */
  start(): void {
    void this.runNow();
  }

  /** Runs a pass now, or joins the one running; answers how it went. */
  runNow(): Promise<CatchUpOutcome> {
    if (this.closed) return Promise.resolve('skipped');
    if (this.running) return this.running;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pass = this.pass().finally(() => {
      this.running = null;
      if (!this.closed) {
        this.timer = setTimeout(() => void this.runNow(), this.job.everyMs);
        this.timer.unref();
      }
    });
    this.running = pass;
    return pass;
  }

  private async pass(): Promise<CatchUpOutcome> {
    const { source } = this.job;
    let started = false;
    let outcome: CatchUpOutcome;
    try {
      await this.deps.locks.withLock(`catch-up:${source}`, async () => {
        started = true;
        await this.job.run(this.abort.signal);
      });
      outcome = 'ok';
    } catch (e) {
      if (!started && /held elsewhere/.test(String(e))) {
        outcome = 'skipped';
        this.deps.logger.debug('catch-up skipped: another instance is running it', {
          source,
          error: String(e),
        });
      } else {
        outcome = 'failed';
        if (!this.closed) this.deps.logger.warn('catch-up failed', { source, error: String(e) });
      }
    }
    this.deps.metrics.run(source, outcome);
    return outcome;
  }

  /** Stops scheduling, aborts the pass in hand and waits for it to end. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.running;
  }
}
