import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import type { Logger } from '../../app/ports.js';
import type { TrackerQueue } from '../../app/tracker-ports.js';

/** Never rename: jobs in Redis carry this name across upgrades. */
export const TRACKER_QUEUE = 'tracker';
const SYNC_JOB = 'sync-incident';

export interface BullmqTrackerQueueOptions {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  readonly debounceMs: number;
  readonly concurrency: number;
  readonly retryBaseMs: number;
  readonly maxRetryMs: number;
  readonly work: (incidentId: string) => Promise<unknown>;
  readonly logger: Logger;
}

/**
 * Tracker jobs in Redis, shared by every instance: at most one running and one waiting per incident
 * (BullMQ deduplication with `keepLastIfActive`), delayed by the debounce so a burst of changes is one
 * job, and retried with capped exponential backoff for as long as Jira is away.
 */
export class BullmqTrackerQueue implements TrackerQueue {
  private readonly queue: Queue;
  private readonly worker: Worker;

  constructor(private readonly options: BullmqTrackerQueueOptions) {
    this.queue = new Queue(TRACKER_QUEUE, { connection: options.connection, prefix: options.prefix });
    this.worker = new Worker(
      TRACKER_QUEUE,
      async (job) => {
        const id = (job.data as { incidentId?: unknown }).incidentId;
        if (typeof id !== 'string') throw new Error('tracker job without an incident id');
        await options.work(id);
      },
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        settings: {
          backoffStrategy: (attemptsMade: number) =>
            Math.min(options.maxRetryMs, options.retryBaseMs * 2 ** Math.max(0, attemptsMade - 1)),
        },
      },
    );
    this.worker.on('failed', (job, error) => {
      options.logger.warn('tracker job failed', {
        incidentId: job?.data?.incidentId,
        attempt: job?.attemptsMade,
        error: String(error),
      });
    });
    this.worker.on('error', (error) => options.logger.warn('tracker worker error', { error: String(error) }));
  }

  async schedule(incidentId: string): Promise<void> {
    await this.queue.add(
      SYNC_JOB,
      { incidentId },
      {
        delay: this.options.debounceMs,
        deduplication: { id: `sync:${incidentId}`, keepLastIfActive: true },
        attempts: 1_000_000,
        backoff: { type: 'custom' },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
      },
    );
  }

  /** Jobs waiting, delayed or running. */
  async size(): Promise<number> {
    const c = await this.queue.getJobCounts(
      'waiting',
      'delayed',
      'active',
      'prioritized',
      'waiting-children',
    );
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async idle(): Promise<void> {
    while ((await this.size()) > 0) await new Promise((r) => setTimeout(r, 25));
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}
