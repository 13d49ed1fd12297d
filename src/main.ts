import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { createHttpApp } from './adapters/http/http-app.js';
import { createLogger } from './adapters/logging/winston-logger.js';
import { createMetrics, type PromMetrics } from './adapters/metrics/prom-metrics.js';
import { createQueueMetrics } from './adapters/metrics/queue-metrics.js';
import { BullmqIntake } from './adapters/queue/bullmq-intake.js';
import { type DeliveryJobData, deliveryJobOptions, QUEUE_NAMES } from './adapters/queue/delivery-jobs.js';
import { startDeliveryWorker } from './adapters/queue/delivery-worker.js';
import {
  closeRedis,
  connectRedis,
  type RedisSettings,
  workerConnection,
} from './adapters/redis/redis-connection.js';
import { RedisStore } from './adapters/redis/redis-store.js';
import { loadRules, RulesError } from './adapters/rules/rules-loader.js';
import { EmbeddedIntake } from './adapters/store/embedded-intake.js';
import { FileJournal } from './adapters/store/file-journal.js';
import { type MemorySnapshot, MemoryStore } from './adapters/store/memory-store.js';
import { createExecutor } from './app/commands.js';
import { loggingEffectSink, silentEffectSink } from './app/logging-effect-sink.js';
import type { Clock, Command, IncidentStore, Intake, Logger, Metrics } from './app/ports.js';
import { type Config, ConfigError, loadConfig, redactConfig } from './config.js';
import type { GroupingRules } from './domain/grouping.js';

export interface BridgeOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface RunningBridge {
  readonly url: string;
  readonly store: IncidentStore;
  readonly intake: Intake;
  /** Resolves once every accepted delivery has been carried out. */
  idle(): Promise<void>;
  /** Stops taking deliveries (503), lets work in hand finish, closes storage. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };
const quietMetrics: Metrics = { alertsReceived() {}, decision() {}, webhookRequest() {} };

/** Where state lives and how work is taken: the embedded default or production mode on Redis. */
interface Storage {
  readonly mode: 'embedded' | 'redis';
  readonly store: IncidentStore;
  readonly intake: Intake;
  readonly metrics: PromMetrics;
  /** Fields for the start log line. */
  readonly started: Record<string, unknown>;
  idle(): Promise<void>;
  /** Lets the work in hand finish and closes storage; webhooks are already refused by then. */
  close(): Promise<void>;
}

/** Wires the bridge from its configuration: the only place that knows every part. */
export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const config = loadConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const clock = options.clock ?? systemClock;
  const rules = loadRules(config.RULES_DIR);

  const storage =
    config.REDIS_URL === undefined
      ? await embeddedStorage(config, rules.grouping, logger)
      : await redisStorage(config, config.REDIS_URL, rules.grouping, logger);
  const { store, intake, metrics } = storage;

  let draining = false;
  const app = createHttpApp({
    intake,
    store,
    clock,
    metrics,
    registry: metrics.registry,
    logger,
    webhookToken: config.WEBHOOK_TOKEN,
    apiToken: config.API_TOKEN,
    maxBodyBytes: config.MAX_BODY_BYTES,
    draining: () => draining,
  });
  const server = await new Promise<Server>((ok, fail) => {
    const s = app.listen(config.PORT, config.HOST, () => ok(s));
    s.once('error', fail);
  }).catch(async (e: unknown) => {
    await storage.close();
    throw e;
  });
  // Longer than the keep-alive of the senders' HTTP clients, so they never write into a closing socket.
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  logger.info('bridge started', {
    url,
    mode: storage.mode,
    ...storage.started,
    config: redactConfig(config),
  });

  return {
    url,
    store,
    intake,
    idle: () => storage.idle(),
    async close() {
      draining = true;
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
      });
      await storage.close();
      logger.info('bridge stopped', {});
    },
  };
}

/** The embedded default: state in memory, every command journaled under DATA_DIR, work in-process. */
async function embeddedStorage(config: Config, grouping: GroupingRules, logger: Logger): Promise<Storage> {
  const store = new MemoryStore();
  const metrics = createMetrics(store);
  const executor = createExecutor({ store, grouping, metrics, logger, effects: loggingEffectSink(logger) });
  // Replaying the journal rebuilds state; it neither counts again nor announces again.
  const replay = createExecutor({
    store,
    grouping,
    metrics: quietMetrics,
    logger,
    effects: silentEffectSink,
  });
  const journal = new FileJournal<MemorySnapshot, Command>(join(resolve(config.DATA_DIR), 'journal'), logger);
  const intake = new EmbeddedIntake(journal, store, executor, logger, {
    snapshotAfterBytes: config.SNAPSHOT_AFTER_BYTES,
  });
  const replayed = await intake.recover(replay);
  return {
    mode: 'embedded',
    store,
    intake,
    metrics,
    started: { replayed },
    idle: () => intake.idle(),
    close: () => intake.close(),
  };
}

/** How often an instance takes incidents whose retention ran out off the indexes. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Production mode: state in Redis (shared by every instance), one BullMQ job per delivery, and a
 * worker in every instance running the same executor as the embedded mode.
 */
async function redisStorage(
  config: Config,
  redisUrl: string,
  grouping: GroupingRules,
  logger: Logger,
): Promise<Storage> {
  const settings: RedisSettings = {
    url: redisUrl,
    sentinels: config.REDIS_SENTINELS,
    sentinelMaster: config.REDIS_SENTINEL_MASTER,
    sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
  };
  const commands = await connectRedis(settings, 'commands', (e) =>
    logger.warn('redis connection error', { client: 'commands', error: String(e) }),
  );
  const store = new RedisStore(commands, { prefix: config.REDIS_PREFIX, retentionMs: config.RETENTION });
  const metrics = createMetrics(store);
  const executor = createExecutor({ store, grouping, metrics, logger, effects: loggingEffectSink(logger) });
  const queue = new Queue<DeliveryJobData>(QUEUE_NAMES.deliveries, {
    connection: commands,
    prefix: config.REDIS_PREFIX,
    defaultJobOptions: deliveryJobOptions,
  });
  queue.on('error', (e) => logger.warn('delivery queue error', { error: String(e) }));
  const intake = new BullmqIntake(queue, commands, executor);
  const queueMetrics = createQueueMetrics(metrics.registry, intake);
  commands.on('error', () => queueMetrics.redisError('commands'));
  const worker = startDeliveryWorker({
    connection: workerConnection(settings),
    prefix: config.REDIS_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_DURATION,
    execute: executor,
    metrics: queueMetrics,
    logger,
  });
  const sweep = setInterval(() => {
    store.sweepExpired().catch((e: unknown) => logger.warn('retention sweep failed', { error: String(e) }));
  }, SWEEP_EVERY_MS);
  sweep.unref();

  return {
    mode: 'redis',
    store,
    intake,
    metrics,
    started: { prefix: config.REDIS_PREFIX, concurrency: config.WORKER_CONCURRENCY },
    idle: () => intake.idle(),
    async close() {
      clearInterval(sweep);
      await worker.close(config.SHUTDOWN_TIMEOUT);
      await intake.close();
      await closeRedis(commands);
    },
  };
}

async function runFromCommandLine(): Promise<void> {
  let bridge: RunningBridge;
  try {
    bridge = await startBridge({ env: process.env });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof RulesError) {
      process.stderr.write(`incident-bridge: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`incident-bridge: ${signal}, shutting down\n`);
    bridge.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runFromCommandLine();
}
