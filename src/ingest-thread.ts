import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from './adapters/logging/winston-logger.js';
import type { QueueMetrics } from './adapters/metrics/queue-metrics.js';
import { RedisProblemStore } from './adapters/problems/redis-problem-store.js';
import { startDeliveryWorker } from './adapters/queue/delivery-worker.js';
import type {
  IngestThreadData,
  MainMessage,
  MetricCall,
  ThreadMessage,
} from './adapters/queue/ingest-threads.js';
import {
  closeRedis,
  connectRedis,
  redisSettings,
  workerConnection,
} from './adapters/redis/redis-connection.js';
import { RedisStore } from './adapters/redis/redis-store.js';
import { loadRules } from './adapters/rules/rules-loader.js';
import { decodeWebhookBody } from './adapters/sources/webhook-sources.js';
import { createExecutor } from './app/commands.js';
import type { EffectSink, Logger, Metrics } from './app/ports.js';
import { loadConfig } from './config.js';

/**
 * Wires one ingest thread of production mode (see `adapters/queue/ingest-threads.ts`): the same
 * executor and delivery worker as the main thread would run, on their own Redis connections, with
 * effects and figures handed to the main thread.
 */
async function runIngestThread(port: NonNullable<typeof parentPort>, data: IngestThreadData): Promise<void> {
  const config = loadConfig(data.env);
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  yieldCpu(config.INGEST_THREAD_NICE, logger);
  const rules = loadRules(config.RULES_DIR);
  const settings = redisSettings(config);
  if (settings === null) throw new Error('an ingest thread needs REDIS_URL');

  // Calls of one turn of the event loop go to the main thread together, right after it.
  let calls: MetricCall[] = [];
  let flushQueued = false;
  let nextId = 0;
  const pending = new Map<number, { ok: () => void; fail: (e: Error) => void }>();
  const flush = (publish?: Extract<ThreadMessage, { t: 'flush' }>['publish']): Promise<void> => {
    if (calls.length === 0 && publish === undefined) return Promise.resolve();
    const id = nextId++;
    const message: ThreadMessage = publish ? { t: 'flush', id, calls, publish } : { t: 'flush', id, calls };
    calls = [];
    return new Promise((ok, fail) => {
      pending.set(id, { ok, fail });
      port.postMessage(message);
    });
  };
  const record =
    (target: MetricCall[0], method: string) =>
    (...args: unknown[]): void => {
      calls.push([target, method, args]);
      if (flushQueued) return;
      flushQueued = true;
      queueMicrotask(() => {
        flushQueued = false;
        flush().catch(() => undefined);
      });
    };
  const metrics: Metrics = {
    alertsReceived: record('metrics', 'alertsReceived'),
    decision: record('metrics', 'decision'),
    webhookRequest: record('metrics', 'webhookRequest'),
  };
  const queueMetrics: QueueMetrics = {
    jobDuration: record('queueMetrics', 'jobDuration'),
    jobFailed: record('queueMetrics', 'jobFailed'),
    redisError: record('queueMetrics', 'redisError'),
  };
  // Sinks read an incident's state, not its alerts; the first alert stays, as it tells which source
  // opened the incident. Copying every alert of a storm's incidents to the main thread would cost it
  // the CPU it needs to answer senders.
  const effects: EffectSink = {
    publish: (e, incidents, problems) =>
      flush([e, incidents.map((i) => ({ ...i, alerts: i.alerts.slice(0, 1) })), problems]),
  };

  const commands = await connectRedis(settings, 'commands', (e) => {
    queueMetrics.redisError('commands');
    logger.warn('redis connection error', { client: 'commands', thread: true, error: String(e) });
  });
  const store = new RedisStore(commands, { prefix: config.REDIS_PREFIX, retentionMs: config.RETENTION });
  const problems = new RedisProblemStore(commands, config.REDIS_PREFIX);
  const executor = createExecutor({
    store,
    problems,
    grouping: rules.grouping,
    problemRules: rules.problems,
    releaseProjects: data.releaseProjects,
    priority: rules.priority,
    metrics,
    logger,
    effects,
  });
  const worker = startDeliveryWorker({
    connection: workerConnection(settings),
    prefix: config.REDIS_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_DURATION,
    execute: async (command) => {
      try {
        return await executor(command);
      } finally {
        await flush();
      }
    },
    decode: decodeWebhookBody,
    bodies: commands,
    metrics: queueMetrics,
    logger,
  });

  port.on('message', (m: MainMessage) => {
    if (m.t === 'ack') {
      const waiting = pending.get(m.id);
      pending.delete(m.id);
      if (m.error === undefined) waiting?.ok();
      else waiting?.fail(new Error(m.error));
      return;
    }
    if (m.t === 'pace') {
      if (m.busy) worker.hold();
      else worker.resume();
      return;
    }
    void (async () => {
      await worker.close(m.timeoutMs);
      await flush().catch(() => undefined);
      await closeRedis(commands);
      port.postMessage({ t: 'closed' } satisfies ThreadMessage);
      port.close();
    })();
  });
  port.postMessage({ t: 'started' } satisfies ThreadMessage);
}

/**
 * Lowers this thread's scheduling priority. Linux gives each thread its own nice value, set through the
 * thread's id (found in /proc/thread-self); elsewhere the thread keeps the process's priority.
 */
function yieldCpu(nice: number, logger: Logger): void {
  if (nice === 0 || process.platform !== 'linux') return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, Math.min(19, getPriority(tid) + nice));
  } catch (e) {
    logger.warn('ingest thread keeps its priority', { error: String(e) });
  }
}

if (parentPort) await runIngestThread(parentPort, workerData as IngestThreadData);
