import { Worker } from 'node:worker_threads';
import type { EffectSink, Logger, Metrics } from '../../app/ports.js';
import type { Incident, IncidentEffect } from '../../domain/model.js';
import type { Problem } from '../../domain/problems.js';
import type { QueueMetrics } from '../metrics/queue-metrics.js';
import type { DeliveryWorker } from './delivery-worker.js';
import { startIntakePacer } from './intake-pacer.js';
import { threadEntry } from './thread-entry.js';

/**
 * Delivery workers in worker threads. The thread that answers webhooks then only checks and queues
 * them, so senders are answered at once even while a storm is being worked off, and a second core
 * does the work. A thread holds no state of its own: Redis is the store, as for any other instance.
 *
 * What a thread's executor announces (effects, metrics) is handed to this thread, which owns the
 * tracker, the notifications and the `/metrics` registry; a job ends only once that was taken over.
 */

/** The ports a thread calls into: figures are replayed here, on the registry `/metrics` serves. */
export const THREAD_METRIC_CALLS = {
  metrics: ['alertsReceived', 'decision', 'webhookRequest'],
  queueMetrics: ['jobDuration', 'jobFailed', 'redisError'],
} as const satisfies { metrics: readonly (keyof Metrics)[]; queueMetrics: readonly (keyof QueueMetrics)[] };

type Port = keyof typeof THREAD_METRIC_CALLS;
export type MetricCall = readonly [port: Port, method: string, args: readonly unknown[]];

/** Thread → main. */
export type ThreadMessage =
  | {
      readonly t: 'flush';
      readonly id: number;
      readonly calls: readonly MetricCall[];
      readonly publish?: readonly [
        effects: readonly IncidentEffect[],
        incidents: readonly Incident[],
        problems: readonly Problem[] | undefined,
      ];
    }
  | { readonly t: 'started' }
  | { readonly t: 'closed' };

/** Main → thread. */
export type MainMessage =
  | { readonly t: 'ack'; readonly id: number; readonly error?: string }
  | { readonly t: 'close'; readonly timeoutMs: number }
  /** The main thread is busy answering senders (or no longer): take no new delivery until told. */
  | { readonly t: 'pace'; readonly busy: boolean };

/** What the thread entry gets as `workerData`. */
export interface IngestThreadData {
  readonly env: Record<string, string | undefined>;
  /** Projects whose releases close problems, as the main thread computed them. */
  readonly releaseProjects: readonly string[];
}

export interface IngestThreadsOptions {
  readonly count: number;
  readonly data: IngestThreadData;
  readonly metrics: Metrics;
  readonly queueMetrics: QueueMetrics;
  readonly effects: EffectSink;
  readonly logger: Logger;
  /** How busy the senders keep the main thread (0..1), for `startIntakePacer`. */
  readonly load: () => number;
  /** Wait before a thread that died is started again. */
  readonly restartDelayMs?: number;
}

/**
 * A thread's young generation, where its short-lived objects live (V8's default is about 48 MB). A
 * delivery's objects die young whatever the size; a smaller one costs a few more, shorter, scavenges
 * and keeps the process's memory lower while a storm is worked off (measured with `npm run bench`).
 */
const YOUNG_GENERATION_MB = 24;
const OLD_GENERATION_MB = 128;

/** Starts `count` threads, each with its own BullMQ worker; `close` stops them as a worker is stopped. */
export function startIngestThreads(options: IngestThreadsOptions): DeliveryWorker {
  const { logger } = options;
  const entry = threadEntry('ingest-thread');
  const running = new Set<Worker>();
  let closing = false;

  const apply = (calls: readonly MetricCall[]): void => {
    for (const [port, method, args] of calls) {
      const allowed: readonly string[] = THREAD_METRIC_CALLS[port] ?? [];
      if (!allowed.includes(method)) continue;
      const target = (port === 'metrics' ? options.metrics : options.queueMetrics) as unknown as Record<
        string,
        (...a: unknown[]) => void
      >;
      target[method]?.(...args);
    }
  };

  const spawn = (n: number): void => {
    const worker = new Worker(entry.entry, {
      eval: entry.eval,
      workerData: options.data,
      name: `ingest-${n}`,
      resourceLimits: {
        maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
        maxOldGenerationSizeMb: OLD_GENERATION_MB,
      },
    });
    running.add(worker);
    // A thread started again while the others hold off holds off too.
    if (pacer?.held()) worker.postMessage({ t: 'pace', busy: true } satisfies MainMessage);
    worker.on('message', (m: ThreadMessage) => {
      if (m.t !== 'flush') return;
      apply(m.calls);
      const published = m.publish
        ? options.effects.publish(m.publish[0], m.publish[1], m.publish[2])
        : Promise.resolve();
      published.then(
        () => worker.postMessage({ t: 'ack', id: m.id } satisfies MainMessage),
        (e: unknown) => worker.postMessage({ t: 'ack', id: m.id, error: String(e) } satisfies MainMessage),
      );
    });
    worker.on('error', (e) => logger.error('ingest thread failed', { thread: n, error: String(e) }));
    worker.on('exit', (code) => {
      running.delete(worker);
      if (closing) return;
      // Its jobs go back to the queue once their locks lapse; a new thread takes them up.
      logger.error('ingest thread stopped, starting it again', { thread: n, code });
      setTimeout(() => {
        if (!closing) spawn(n);
      }, options.restartDelayMs ?? 1_000).unref();
    });
  };
  let pacer: ReturnType<typeof startIntakePacer> | null = null;
  for (let n = 0; n < options.count; n++) spawn(n);
  pacer = startIntakePacer(options.load, (hold) => {
    for (const worker of running) worker.postMessage({ t: 'pace', busy: hold } satisfies MainMessage);
  });

  return {
    async close(timeoutMs) {
      closing = true;
      pacer.stop();
      await Promise.all(
        [...running].map(
          (worker) =>
            new Promise<void>((done) => {
              worker.once('exit', () => done());
              worker.postMessage({ t: 'close', timeoutMs } satisfies MainMessage);
              // A thread that does not stop in time is stopped; its jobs' locks lapse as after a crash.
              setTimeout(() => void worker.terminate(), timeoutMs + 5_000).unref();
            }),
        ),
      );
    },
  };
}
