import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import type { Periodic, PeriodicOptions } from './in-process-periodic.js';

/**
 * Names of the periodic jobs, each its own queue and job scheduler in Redis. Never rename one: the
 * scheduler under the old name would go on making jobs nobody takes.
 */
export const PERIODIC_JOBS = { slaCheck: 'sla-check' } as const;

export interface BullmqPeriodicOptions extends PeriodicOptions {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
}

/**
 * A job every `everyMs` for the whole deployment: a BullMQ job scheduler makes one job per interval
 * however many instances upsert it, and one instance's worker takes each job. A failed pass is not
 * retried: the next one comes soon.
 */
export function startBullmqPeriodic(o: BullmqPeriodicOptions): Periodic {
  const queue = new Queue(o.name, { connection: o.connection, prefix: o.prefix });
  queue.on('error', (e) => o.logger.warn('periodic queue error', { job: o.name, error: String(e) }));
  const worker = new Worker(
    o.name,
    async () => {
      await o.run();
    },
    { connection: o.connection, prefix: o.prefix, concurrency: 1 },
  );
  worker.on('failed', (_job, e) => o.logger.warn('periodic job failed', { job: o.name, error: String(e) }));
  worker.on('error', (e) => o.logger.warn('periodic worker error', { job: o.name, error: String(e) }));
  const scheduled = queue
    .upsertJobScheduler(
      o.name,
      { every: o.everyMs },
      { name: o.name, opts: { attempts: 1, removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } } },
    )
    .catch((e: unknown) => o.logger.warn('periodic job not scheduled', { job: o.name, error: String(e) }));
  return {
    async close() {
      await scheduled;
      await worker.close();
      await queue.close();
    },
  };
}
