import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Executor } from '../../app/commands.js';
import type { Logger } from '../../app/ports.js';
import type { QueueMetrics } from '../metrics/queue-metrics.js';
import {
  type DecodeBody,
  type DeliveryJobData,
  decodeDeliveryBody,
  QUEUE_NAMES,
  readDeliveryJob,
} from './delivery-jobs.js';
import { Hold } from './intake-pacer.js';

export interface DeliveryWorkerOptions {
  /** Options for the worker's own connections (BullMQ makes two: commands and the blocking fetch). */
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  readonly concurrency: number;
  /** A job whose instance stopped renewing its lock this long ago goes back to the queue. */
  readonly lockDurationMs: number;
  readonly execute: Executor;
  /** Reads the bodies of version 2 jobs into events. */
  readonly decode: DecodeBody;
  /** Where version 2 jobs find their bodies. */
  readonly bodies: Pick<Redis, 'getBuffer' | 'del'>;
  readonly metrics: QueueMetrics;
  readonly logger: Logger;
}

export interface DeliveryWorker {
  /** Takes no new job, lets the running ones finish within `timeoutMs`, then hands the rest back. */
  close(timeoutMs: number): Promise<void>;
}

export interface PacedDeliveryWorker extends DeliveryWorker {
  /**
   * Takes no new job until `resume`: jobs already fetched but not begun wait for it, those under way
   * finish.
   */
  hold(): void;
  resume(): void;
}

/**
 * The thin consumer of the deliveries queue: it checks the job's envelope and hands the delivery to
 * the same executor the embedded mode uses. A throw fails the attempt; BullMQ retries it with backoff.
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): PacedDeliveryWorker {
  const { execute, metrics, logger } = options;
  // While held, a job the worker had already fetched waits here before it reads its body.
  const held = new Hold();
  const worker = new Worker<DeliveryJobData>(
    QUEUE_NAMES.deliveries,
    async (job) => {
      await held.whileHeld();
      const ref = readDeliveryJob(job.name, job.data);
      const started = performance.now();
      let outcome: 'completed' | 'failed' = 'failed';
      try {
        if (ref.kind === 'inline') {
          await execute({ type: 'ingest', delivery: ref.delivery });
        } else {
          const redis = options.bodies;
          const delivery = decodeDeliveryBody(ref, await redis.getBuffer(ref.bodyKey), options.decode);
          await execute({ type: 'ingest', delivery });
          // Carried out: the body has served. A retry after a crash just before this finds it still there.
          await redis.del(ref.bodyKey);
        }
        outcome = 'completed';
      } finally {
        metrics.jobDuration(outcome, (performance.now() - started) / 1000);
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.lockDurationMs,
      // A delivery whose instance died repeatedly while holding it is set aside rather than retried forever.
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, error) => {
    const final =
      job === undefined ||
      error instanceof UnrecoverableError ||
      job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.jobFailed(final ? 'gave-up' : 'will-retry');
    logger.warn('delivery job failed', {
      job: job?.id,
      attempt: job?.attemptsMade,
      final,
      error: String(error),
    });
  });
  worker.on('stalled', (jobId) => logger.warn('delivery job stalled, back in the queue', { job: jobId }));
  worker.on('error', (error) => {
    metrics.redisError('worker');
    logger.error('delivery worker error', { error: String(error) });
  });

  return {
    hold() {
      held.hold();
      void worker.pause(true);
    },
    resume() {
      held.release();
      void worker.resume();
    },
    async close(timeoutMs) {
      held.release();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<true>((r) => {
        timer = setTimeout(() => r(true), timeoutMs);
      });
      // pause() stops fetching and resolves once the running jobs are done.
      const finished = await Promise.race([worker.pause().then(() => false as const), timedOut]).then(
        (late) => !late,
      );
      clearTimeout(timer);
      if (!finished) {
        logger.warn('deliveries still running at shutdown are handed back to the queue', { timeoutMs });
      }
      // Forced, the worker lets go of its jobs; their locks lapse and another instance takes them.
      await worker.close(!finished);
    },
  };
}
