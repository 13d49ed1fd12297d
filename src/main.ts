import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHttpApp } from './adapters/http/http-app.js';
import { createLogger } from './adapters/logging/winston-logger.js';
import { createMetrics } from './adapters/metrics/prom-metrics.js';
import { loadRules, RulesError } from './adapters/rules/rules-loader.js';
import { EmbeddedIntake } from './adapters/store/embedded-intake.js';
import { FileJournal } from './adapters/store/file-journal.js';
import { type MemorySnapshot, MemoryStore } from './adapters/store/memory-store.js';
import { createExecutor } from './app/commands.js';
import { loggingEffectSink, silentEffectSink } from './app/logging-effect-sink.js';
import type { Clock, Command, IncidentStore, Intake, Logger, Metrics } from './app/ports.js';
import { ConfigError, loadConfig, redactConfig } from './config.js';

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

/** Wires the bridge from its configuration: the only place that knows every part. */
export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const config = loadConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const clock = options.clock ?? systemClock;
  const rules = loadRules(config.RULES_DIR);

  const store = new MemoryStore();
  const metrics = createMetrics(store);
  const executor = createExecutor({
    store,
    grouping: rules.grouping,
    metrics,
    logger,
    effects: loggingEffectSink(logger),
  });
  // Replaying the journal rebuilds state; it neither counts again nor announces again.
  const replay = createExecutor({
    store,
    grouping: rules.grouping,
    metrics: quietMetrics,
    logger,
    effects: silentEffectSink,
  });
  const journal = new FileJournal<MemorySnapshot, Command>(join(resolve(config.DATA_DIR), 'journal'), logger);
  const intake = new EmbeddedIntake(journal, store, executor, logger, {
    snapshotAfterBytes: config.SNAPSHOT_AFTER_BYTES,
  });
  const replayed = await intake.recover(replay);

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
  const server: Server = await new Promise((ok, fail) => {
    const s = app.listen(config.PORT, config.HOST, () => ok(s));
    s.once('error', fail);
  });
  // Longer than the keep-alive of the senders' HTTP clients, so they never write into a closing socket.
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  logger.info('bridge started', { url, mode: 'embedded', replayed, config: redactConfig(config) });

  return {
    url,
    store,
    intake,
    idle: () => intake.idle(),
    async close() {
      draining = true;
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
      });
      await intake.close();
      logger.info('bridge stopped', {});
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
