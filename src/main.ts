import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Queue } from 'bullmq';
import { loadCatchUpSettings, startCatchUp } from './adapters/catch-up/catch-up-runtime.js';
import { BodyCheckThreads } from './adapters/http/body-check-threads.js';
import { createHttpApp } from './adapters/http/http-app.js';
import { incidentPresenter } from './adapters/http/incident-view.js';
import type { RawDeliveryIntake } from './adapters/http/webhook-route.js';
import { JiraClient } from './adapters/jira/jira-client.js';
import { type JiraSettings, jiraEnvSchema, jiraSettings } from './adapters/jira/jira-config.js';
import { JiraTracker } from './adapters/jira/jira-tracker.js';
import { createLogger } from './adapters/logging/winston-logger.js';
import { createJiraMetrics } from './adapters/metrics/jira-metrics.js';
import { createNotifyMetrics } from './adapters/metrics/notify-metrics.js';
import { createMetrics, type PromMetrics } from './adapters/metrics/prom-metrics.js';
import { createQueueMetrics, lastKnownCounts } from './adapters/metrics/queue-metrics.js';
import { createServiceMetrics } from './adapters/metrics/service-metrics.js';
import { loadNotifySettings, redactNotifySettings } from './adapters/notify/notify-config.js';
import { NotifyQueue } from './adapters/notify/notify-queue.js';
import { postNotification } from './adapters/notify/webhook-notifier.js';
import { RedisProblemStore } from './adapters/problems/redis-problem-store.js';
import { BullmqIntake } from './adapters/queue/bullmq-intake.js';
import { type DeliveryJobData, deliveryJobOptions, QUEUE_NAMES } from './adapters/queue/delivery-jobs.js';
import { type DeliveryWorker, startDeliveryWorker } from './adapters/queue/delivery-worker.js';
import { startIngestThreads } from './adapters/queue/ingest-threads.js';
import { deliveryRateLoad, eventLoopLoad, startIntakePacer } from './adapters/queue/intake-pacer.js';
import {
  closeRedis,
  connectRedis,
  type RedisSettings,
  redisSettings,
  workerConnection,
} from './adapters/redis/redis-connection.js';
import { RedisStore } from './adapters/redis/redis-store.js';
import { loadRules, RulesError } from './adapters/rules/rules-loader.js';
import { PERIODIC_JOBS, startBullmqPeriodic } from './adapters/schedule/bullmq-periodic.js';
import { type Periodic, startInProcessPeriodic } from './adapters/schedule/in-process-periodic.js';
import {
  countWebhookBody,
  decodeWebhookBody,
  decodeWebhookPayload,
} from './adapters/sources/webhook-sources.js';
import { EmbeddedIntake, type JournalRecord } from './adapters/store/embedded-intake.js';
import { FileJournal } from './adapters/store/file-journal.js';
import { type MemorySnapshot, MemoryStore } from './adapters/store/memory-store.js';
import { BullmqTrackerQueue } from './adapters/tracker/bullmq-tracker-queue.js';
import { InProcessLocks } from './adapters/tracker/in-process-locks.js';
import { InProcessTrackerQueue } from './adapters/tracker/in-process-tracker-queue.js';
import { RedisLocks } from './adapters/tracker/redis-locks.js';
import { createExecutor } from './app/commands.js';
import { loggingEffectSink, silentEffectSink } from './app/logging-effect-sink.js';
import { notifyEffectSink } from './app/notify-sink.js';
import type { Clock, EffectSink, IncidentStore, Intake, Logger, Metrics } from './app/ports.js';
import type { ProblemStore } from './app/problem-ports.js';
import { syncProblem } from './app/problem-sync.js';
import { serviceMetricsSink } from './app/service-metrics-sink.js';
import { checkSla } from './app/sla-check.js';
import type { Locks, TrackerQueue } from './app/tracker-ports.js';
import { fanOut, scheduleOutOfLine, trackerEffectSink } from './app/tracker-scheduling.js';
import { syncIncident } from './app/tracker-sync.js';
import { type Config, ConfigError, loadConfig, redactConfig } from './config.js';
import type { GroupingRules } from './domain/grouping.js';
import type { PriorityRules } from './domain/priority.js';
import type { ProblemRules } from './domain/problems.js';

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
  /** Runs the scheduled SLA check now, at the clock's time; answers the marks made (tests move the clock). */
  checkSla(): Promise<number>;
  /** Stops taking deliveries (503), lets work in hand finish, closes storage. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };
const quietMetrics: Metrics = { alertsReceived() {}, decision() {}, webhookRequest() {} };

/** The rules the domain decides by, whichever storage is used. */
interface CoreRules {
  readonly grouping: GroupingRules;
  readonly problemRules: ProblemRules;
  readonly releaseProjects: readonly string[];
  readonly priority: PriorityRules;
}

/** Where state lives and how work is taken: the embedded default or production mode on Redis. */
interface Storage {
  readonly mode: 'embedded' | 'redis';
  readonly store: IncidentStore;
  readonly problems: ProblemStore;
  readonly intake: Intake;
  /** Takes checked webhook bodies as written (a queue, or the journal); read into events later. */
  readonly rawIntake?: RawDeliveryIntake;
  readonly metrics: PromMetrics;
  /** Fields for the start log line. */
  readonly started: Record<string, unknown>;
  /** Tracker jobs and locks that fit the storage: in-process, or in Redis shared by every instance. */
  readonly trackerQueue: (
    work: (incidentId: string) => Promise<unknown>,
    settings: JiraSettings,
  ) => TrackerRuntime;
  readonly locks: Locks;
  /** Catch-up passes: one instance at a time; another instance skips a pass rather than wait. */
  readonly catchUpLocks: Locks;
  /** A job every `everyMs` for the whole deployment: a timer in-process, a job scheduler in Redis. */
  readonly periodic: (name: string, everyMs: number, run: () => Promise<unknown>) => Periodic;
  idle(): Promise<void>;
  /** Lets the work in hand finish and closes storage; webhooks are already refused by then. */
  close(): Promise<void>;
}

interface TrackerRuntime extends TrackerQueue {
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The `JIRA_*` variables, checked like the rest: a bad one stops the start naming it. */
function loadJiraSettings(env: NodeJS.ProcessEnv): JiraSettings | null {
  const parsed = jiraEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  return jiraSettings(parsed.data);
}

/** Wires the bridge from its configuration: the only place that knows every part. */
export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const config = loadConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const clock = options.clock ?? systemClock;
  const rules = loadRules(config.RULES_DIR);
  const jira = loadJiraSettings(options.env);
  const catchUpSettings = loadCatchUpSettings(options.env);
  const core: CoreRules = {
    grouping: rules.grouping,
    problemRules: rules.problems,
    releaseProjects: [...new Set([...(jira ? [jira.project] : []), ...rules.problemTracker.projects])],
    priority: rules.priority,
  };

  // The tracker's sink joins once the tracker is up; until then effects are only logged.
  const sinks: EffectSink[] = [loggingEffectSink(logger)];
  const effects = fanOut(sinks, logger);
  // People following incidents hear of them through NOTIFY_URL from the first command on.
  const notify = loadNotifySettings(options.env);
  let countNotification = (_outcome: 'sent' | 'retried' | 'dropped'): void => undefined;
  const notifier = notify
    ? new NotifyQueue({
        send: (n) => postNotification(notify, n),
        maxAttempts: notify.maxAttempts,
        retryBaseMs: notify.retryBaseMs,
        maxQueued: notify.queueMax,
        logger,
        count: (outcome) => countNotification(outcome),
      })
    : null;
  if (notifier) sinks.push(notifyEffectSink(notifier, clock, { tickets: jira !== null }));
  const storage =
    config.REDIS_URL === undefined
      ? await embeddedStorage(config, core, logger, effects)
      : await redisStorage(config, config.REDIS_URL, core, logger, effects, options.env);
  const { store, problems, intake, metrics } = storage;
  sinks.push(serviceMetricsSink(createServiceMetrics(metrics.registry, store)));
  if (notify) {
    countNotification = createNotifyMetrics(metrics.registry);
    logger.info('notifications on', redactNotifySettings(notify));
  }
  const slaCheckDeps = { store, intake, clock, logger };
  const slaCheck = storage.periodic(PERIODIC_JOBS.slaCheck, config.SLA_CHECK_INTERVAL, () =>
    checkSla(slaCheckDeps),
  );

  let tracker: TrackerRuntime | null = null;
  let projectKeyOf: (projectId: string) => Promise<string | null> = async () => null;
  if (jira) {
    const jiraMetrics = createJiraMetrics(metrics.registry);
    const client = new JiraClient({
      settings: jira,
      logger,
      metrics: jiraMetrics,
      retryBaseMs: jira.retryBaseMs,
    });
    const jiraTracker = new JiraTracker(client);
    const common = {
      store,
      problems,
      intake,
      tracker: jiraTracker,
      locks: storage.locks,
      clock,
      logger,
      onIssueCreated: () => jiraMetrics.issueCreated(),
      searchLagMs: jira.searchLagMs,
    };
    const incidentDeps = {
      ...common,
      rules: { ...rules.tracker, project: jira.project },
      releaseResolution: rules.problemTracker.releaseResolution,
      onIncidentIssue: (problemId: string) => void tracker?.schedule(problemId),
    };
    const problemDeps = {
      ...common,
      rules: {
        ...rules.problemTracker,
        project: jira.project,
        labels: rules.tracker.labels,
        transitions: rules.tracker.transitions,
      },
    };
    // One queue for both: problem ids (`PRB-`) and incident ids (`INC-`) never meet.
    tracker = storage.trackerQueue(
      (id) => (id.startsWith('PRB-') ? syncProblem(problemDeps, id) : syncIncident(incidentDeps, id)),
      jira,
    );
    sinks.push(trackerEffectSink(tracker, logger));
    projectKeyOf = async (projectId) => {
      for (const key of core.releaseProjects)
        if ((await jiraTracker.projectId(key)) === projectId) return key;
      return null;
    };
    const scheduled = await scheduleOutOfLine(store, problems, tracker);
    logger.info('tracker started', {
      url: jira.baseUrl,
      project: jira.project,
      apiVersion: jira.apiVersion,
      auth: jira.auth.type,
      scheduled,
    });
  }

  let draining = false;
  const checkThreadCount = config.CHECK_THREADS ?? defaultCheckThreads(storage.mode);
  const checkThreads =
    storage.rawIntake && checkThreadCount > 0
      ? new BodyCheckThreads({
          count: checkThreadCount,
          logger,
          inline: async (source, text) => countWebhookBody(source, text),
        })
      : undefined;
  const app = createHttpApp({
    intake,
    rawIntake: storage.rawIntake,
    checkBody: checkThreads?.check,
    store,
    clock,
    metrics,
    registry: metrics.registry,
    logger,
    webhookToken: config.WEBHOOK_TOKEN,
    apiToken: config.API_TOKEN,
    maxBodyBytes: config.MAX_BODY_BYTES,
    draining: () => draining,
    presentIncident: incidentPresenter(rules.priority, clock),
    problems,
    jiraWebhook: {
      secret: jira?.webhookSecret ?? (options.env.JIRA_WEBHOOK_SECRET?.trim() || undefined),
      projectKeyOf: (id) => projectKeyOf(id),
      rootCauseField: rules.problemTracker.rootCauseField,
    },
  });
  const server = await new Promise<Server>((ok, fail) => {
    const s = createServer(app).listen(config.PORT, config.HOST, () => ok(s));
    s.once('error', fail);
  }).catch(async (e: unknown) => {
    await checkThreads?.close();
    await storage.close();
    throw e;
  });
  // Longer than the keep-alive of the senders' HTTP clients, so they never write into a closing socket.
  server.keepAliveTimeout = 65_000;
  // A request arriving while draining is refused (503) and closes its connection: keep-alive senders
  // cannot hold the shutdown up.
  server.prependListener('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  const address = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  logger.info('bridge started', {
    url,
    mode: storage.mode,
    checkThreads: checkThreads ? checkThreadCount : 0,
    ...storage.started,
    config: redactConfig(config),
  });
  // Asks the senders' APIs what the bridge missed, now and on an interval, without holding up webhooks.
  const catchUp = startCatchUp({
    settings: catchUpSettings,
    rules: rules.catchUp,
    store,
    intake,
    grouping: rules.grouping,
    clock,
    logger,
    registry: metrics.registry,
    locks: storage.catchUpLocks,
  });

  return {
    url,
    store,
    intake,
    async idle() {
      await storage.idle();
      // Tracker jobs write their results back through the intake.
      await tracker?.idle();
      await storage.idle();
    },
    checkSla: () => checkSla(slaCheckDeps),
    async close() {
      draining = true;
      await catchUp.close();
      await slaCheck.close();
      await closeServer(server, config.SHUTDOWN_TIMEOUT);
      await checkThreads?.close();
      await tracker?.close();
      await storage.close();
      await notifier?.close();
      logger.info('bridge stopped', {});
    },
  };
}

/**
 * Body check threads unless CHECK_THREADS says otherwise: one in production mode when there is a core
 * for it. There it raised the bench's bridge / bare ratio from a mean of 0.50 to 0.57 (README,
 * Performance). Not in the embedded mode, made for small setups, where the second heap cost about
 * 45 MB of peak memory for a throughput that already met its target.
 */
const defaultCheckThreads = (mode: Storage['mode']): number =>
  mode === 'redis' && availableParallelism() > 1 ? 1 : 0;

/**
 * Stops listening and waits for the requests in hand. A keep-alive connection whose request ends
 * after close() would stay open until its sender went away: such connections are closed as soon as
 * they fall idle, and whatever is still open after `timeoutMs` is cut.
 */
async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await new Promise<void>((ok) => {
    server.close(() => ok());
    server.closeIdleConnections();
  });
  clearInterval(idle);
  clearTimeout(cut);
}

/** The embedded default: state in memory, every command journaled under DATA_DIR, work in-process. */
async function embeddedStorage(
  config: Config,
  core: CoreRules,
  logger: Logger,
  effects: EffectSink,
): Promise<Storage> {
  const store = new MemoryStore();
  const metrics = createMetrics(store);
  const executor = createExecutor({ store, problems: store, ...core, metrics, logger, effects });
  // Replaying the journal rebuilds state; it neither counts again nor announces again.
  const replay = createExecutor({
    store,
    problems: store,
    ...core,
    metrics: quietMetrics,
    logger,
    effects: silentEffectSink,
  });
  const journal = new FileJournal<MemorySnapshot, JournalRecord>(
    join(resolve(config.DATA_DIR), 'journal'),
    logger,
  );
  const intake = new EmbeddedIntake(journal, store, executor, logger, {
    snapshotAfterBytes: config.SNAPSHOT_AFTER_BYTES,
    decodePayload: decodeWebhookPayload,
  });
  const replayed = await intake.recover(replay);
  // Senders first, as in production mode: deliveries wait while webhooks keep the thread busy.
  const pacer = paceByDeliveries(intake, (hold) => intake.hold(hold));
  return {
    mode: 'embedded',
    store,
    problems: store,
    intake,
    rawIntake: intake,
    metrics,
    started: { replayed },
    trackerQueue: (work, jira) => new InProcessTrackerQueue(work, logger, jira.queue),
    locks: new InProcessLocks(),
    catchUpLocks: new InProcessLocks(),
    periodic: (name, everyMs, run) => startInProcessPeriodic({ name, everyMs, run, logger }),
    idle: () => intake.idle(),
    close: () => {
      pacer.stop();
      return intake.close();
    },
  };
}

/** Webhook deliveries per second that count as a fully busy intake, when deliveries share its thread. */
const BUSY_DELIVERIES_PER_SECOND = 400;

/** Holds the work carried out on the thread that answers webhooks while their rate keeps it busy. */
const paceByDeliveries = (intake: { deliveriesTaken(): number }, hold: (hold: boolean) => void) =>
  startIntakePacer(
    deliveryRateLoad(() => intake.deliveriesTaken(), BUSY_DELIVERIES_PER_SECOND),
    hold,
  );

/** How often an instance takes incidents whose retention ran out off the indexes. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Production mode: state in Redis (shared by every instance), one BullMQ job per delivery, and a
 * worker in every instance running the same executor as the embedded mode.
 */
async function redisStorage(
  config: Config,
  redisUrl: string,
  core: CoreRules,
  logger: Logger,
  effects: EffectSink,
  env: NodeJS.ProcessEnv,
): Promise<Storage> {
  const settings: RedisSettings = { ...redisSettings(config), url: redisUrl };
  const commands = await connectRedis(settings, 'commands', (e) =>
    logger.warn('redis connection error', { client: 'commands', error: String(e) }),
  );
  const store = new RedisStore(commands, { prefix: config.REDIS_PREFIX, retentionMs: config.RETENTION });
  const metrics = createMetrics(lastKnownCounts(store));
  const problems = new RedisProblemStore(commands, config.REDIS_PREFIX);
  const executor = createExecutor({ store, problems, ...core, metrics, logger, effects });
  const queue = new Queue<DeliveryJobData>(QUEUE_NAMES.deliveries, {
    connection: commands,
    prefix: config.REDIS_PREFIX,
    defaultJobOptions: deliveryJobOptions,
  });
  queue.on('error', (e) => logger.warn('delivery queue error', { error: String(e) }));
  const intake = new BullmqIntake(queue, commands, executor, config.REDIS_PREFIX);
  const queueMetrics = createQueueMetrics(metrics.registry, intake);
  commands.on('error', () => queueMetrics.redisError('commands'));
  // Senders first: the workers hold off new deliveries while webhooks keep the bridge busy. With ingest
  // threads the main thread's own load tells; on the main thread, the rate of webhook deliveries.
  let worker: DeliveryWorker;
  if (config.INGEST_THREADS > 0) {
    worker = startIngestThreads({
      count: config.INGEST_THREADS,
      data: { env: { ...env }, releaseProjects: core.releaseProjects },
      metrics,
      queueMetrics,
      effects,
      logger,
      load: eventLoopLoad(),
    });
  } else {
    const inProcess = startDeliveryWorker({
      connection: workerConnection(settings),
      prefix: config.REDIS_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDurationMs: config.WORKER_LOCK_DURATION,
      execute: executor,
      decode: decodeWebhookBody,
      bodies: commands,
      metrics: queueMetrics,
      logger,
    });
    const pacer = paceByDeliveries(intake, (hold) => (hold ? inProcess.hold() : inProcess.resume()));
    worker = {
      close: (timeoutMs) => {
        pacer.stop();
        return inProcess.close(timeoutMs);
      },
    };
  }
  const sweep = setInterval(() => {
    store.sweepExpired().catch((e: unknown) => logger.warn('retention sweep failed', { error: String(e) }));
  }, SWEEP_EVERY_MS);
  sweep.unref();

  return {
    mode: 'redis',
    store,
    problems,
    intake,
    rawIntake: intake,
    metrics,
    started: {
      prefix: config.REDIS_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      ingestThreads: config.INGEST_THREADS,
    },
    trackerQueue: (work, jira) =>
      new BullmqTrackerQueue({
        connection: workerConnection(settings),
        prefix: config.REDIS_PREFIX,
        ...jira.queue,
        work,
        logger,
      }),
    locks: new RedisLocks(commands, { prefix: `${config.REDIS_PREFIX}:`, ttlMs: 60_000, waitMs: 30_000 }),
    catchUpLocks: new RedisLocks(commands, { prefix: `${config.REDIS_PREFIX}:`, ttlMs: 60_000, waitMs: 0 }),
    periodic: (name, everyMs, run) =>
      startBullmqPeriodic({
        name,
        everyMs,
        run,
        logger,
        connection: workerConnection(settings),
        prefix: config.REDIS_PREFIX,
      }),
    idle: () => intake.idle(),
    async close() {
      clearInterval(sweep);
      await worker.close(config.SHUTDOWN_TIMEOUT);
      await intake.close();
      await closeRedis(commands);
    },
  };
}

/**
 * Two V8 settings for a webhook server, each measured with `npm run bench`; an operator who names a
 * flag in NODE_OPTIONS or on the command line keeps their choice.
 *
 * Allocation-site pretenuring off: V8 allocates objects straight into the old generation once their
 * allocation site has seen many of them survive a young-generation collection. In some runs of the
 * latency pass it set in under the storm: the old generation grew by about 10 MB every 100 ms and
 * young collections took 130–210 ms of the 1.1 s pass; with pretenuring off, 20–40 ms in every run.
 *
 * In production mode, a heap that grows by half, not up to fourfold, between full collections: the
 * state is in Redis, so the heap is mostly the garbage of deliveries carried out, and by default V8
 * let it reach several times what was live (a bridge at 250–300 MB peak RSS held about 30 MB live).
 * With the factor at 1.5 the peak RSS of the bench's storm fell to about 175 MB, at a few percent of
 * end-to-end speed. Not in the embedded mode, whose heap is its state: there full collections came
 * more often over a larger live heap, and the latency pass's p99 rose.
 *
 * A third is not set here, as node reads it only at start: `npm start` and the image run the bridge
 * with one V8 helper thread (`--v8-pool-size=1`, node's default is 4). Under a storm V8's concurrent
 * garbage collection spread over four helpers while the thread answering webhooks waited for a core (see README,
 * Performance).
 */
function tuneV8(env: NodeJS.ProcessEnv): void {
  const given = `${env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
  if (!given.includes('allocation-site-pretenuring')) setFlagsFromString('--no-allocation-site-pretenuring');
  if (env.REDIS_URL && !given.includes('heap-growing-percent'))
    setFlagsFromString('--heap-growing-percent=50');
}

async function runFromCommandLine(): Promise<void> {
  tuneV8(process.env);
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
