import type { Logger } from '../../app/ports.js';

export interface Periodic {
  /** Stops starting passes and waits for the one running. */
  close(): Promise<void>;
}

export interface PeriodicOptions {
  readonly name: string;
  readonly everyMs: number;
  readonly run: () => Promise<unknown>;
  readonly logger: Logger;
}

/**
 * A job every `everyMs` in this process: the embedded mode's deployment is one process, so this is
 * one per deployment. A pass still running when the next is due is not started twice.
 */
export function startInProcessPeriodic(o: PeriodicOptions): Periodic {
  let running: Promise<void> | null = null;
  const tick = (): void => {
    if (running) return;
    running = o
      .run()
      .then(
        () => undefined,
        (e: unknown) => o.logger.warn('periodic job failed', { job: o.name, error: String(e) }),
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, o.everyMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
