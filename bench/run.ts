/**
 * `npm run bench`: an Alertmanager storm against a bare node:http server and the bridge in each mode,
 * then a paced pass for latency. Everything runs as children of this process on 127.0.0.1 and is
 * stopped and removed at the end. `npm run bench -- --help` lists the options.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildStorm, type Storm } from './alert-storm.js';
import { BENCH_USAGE, type BenchMode, type BenchOptions, parseBenchOptions } from './bench-options.js';
import { formatReport } from './bench-report.js';
import {
  type BenchResult,
  type CpuUse,
  checkTargets,
  type LoadSummary,
  type Machine,
  type ModeResult,
  medianIndex,
  pairPasses,
  type RedisMemory,
  summarize,
} from './bench-result.js';
import { type BridgeCommand, bridgeCommand } from './bridge-command.js';
import { decisionsTaken, type MemoryGauges, memoryGauges, waitForDecisions } from './bridge-metrics.js';
import { type ChildService, startChildService } from './child-service.js';
import { type LoadTarget, sendClosedLoop, sendPaced } from './http-load.js';
import { cpuSeconds } from './process-cpu.js';
import { type RedisInstance, redisInfo, startRedis } from './redis-instance.js';
import { sampleRss } from './rss-sampler.js';
import { cleanUpScratch, removeScratchDir, scratchDir } from './scratch.js';

const ROOT = resolve(import.meta.dirname, '..');
const ALERTMANAGER: Omit<LoadTarget, 'url'> = { path: '/webhooks/alertmanager' };
/** Connections the paced pass may open; due requests beyond that wait, and the wait is counted. */
const PACED_MAX_IN_FLIGHT = 256;

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function machine(loadAtStart: number): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: { start: loadAtStart, end: Number((loadavg()[0] ?? 0).toFixed(2)) },
  };
}

/** The commit measured, and whether src/ had uncommitted changes then (other work in progress). */
function sourceVersion(): { readonly commit: string; readonly srcChanged: boolean } {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
    srcChanged: git('status', '--porcelain', '--', 'src') !== '',
  };
}

/** Formats the result file the way the project's Biome does, so that a committed result passes `biome ci`. */
function formatJson(path: string): void {
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', path], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  } catch {
    log(`note: biome could not format ${path}`);
  }
}

function redisModeUnavailable(): string | null {
  const main = readFileSync(join(ROOT, 'src', 'main.ts'), 'utf8');
  if (!main.includes('REDIS_URL')) return 'src/main.ts does not read REDIS_URL yet';
  const paths = (process.env.PATH ?? '').split(':');
  if (!paths.some((p) => existsSync(join(p, 'redis-server')))) return 'redis-server is not installed';
  return null;
}

/**
 * The second wave is sent this long after the latency pass's last answer: the senders' pause has let
 * the workers go (100 ms of quiet), and they are well into working off the pass.
 */
const WAVE_AFTER_MS = 500;

/** The latency pass sends the storm again, paced, for at most `pacedSeconds`. */
function pacedStorm(options: BenchOptions, storm: Storm): Storm {
  const requests = Math.min(storm.bodies.length, Math.round(options.pacedRate * options.pacedSeconds));
  const bodies = storm.bodies.slice(0, requests);
  const alertsPerBody = storm.alertsPerBody.slice(0, requests);
  return {
    ...storm,
    bodies,
    alertsPerBody,
    sentAlerts: alertsPerBody.reduce((sum, n) => sum + n, 0),
    bytes: bodies.reduce((sum, b) => sum + b.length, 0),
  };
}

/** Sends the warm-up storm; a bridge also gets to process it before the measured pass starts. */
async function warmUp(url: string, warm: Storm, options: BenchOptions, bridge: boolean): Promise<void> {
  if (warm.bodies.length === 0) return;
  const before = bridge ? await decisionsTaken(url) : 0;
  await sendStorm(url, warm, options);
  if (bridge) await waitForDecisions(url, before + warm.sentAlerts, options.drainTimeoutSeconds * 1000);
}

/** Sends a storm closed loop, `options.concurrency` requests in flight (see `sendClosedLoop`). */
async function sendStorm(url: string, storm: Storm, options: BenchOptions): Promise<LoadSummary> {
  return summarize(
    await sendClosedLoop({ ...ALERTMANAGER, url }, storm.bodies, storm.alertsPerBody, options.concurrency),
  );
}

/** Sends a storm open loop at the paced rate (see `sendPaced`). */
async function sendAtPace(url: string, storm: Storm, options: BenchOptions): Promise<LoadSummary> {
  const { bodies, alertsPerBody } = storm;
  return summarize(
    await sendPaced({ ...ALERTMANAGER, url }, bodies, alertsPerBody, options.pacedRate, PACED_MAX_IN_FLIGHT),
  );
}

/**
 * A fresh bare server, warmed up as each bridge is: a server (and the load generator) keeps getting
 * faster for a while after the warm-up, so one that had served pass after pass would be measured
 * against bridges that had not.
 */
async function startBare(options: BenchOptions, warm: Storm): Promise<ChildService> {
  const server = await startChildService({
    name: 'bare server',
    command: process.execPath,
    args: ['--import', 'tsx', join(ROOT, 'bench', 'bare-server.ts')],
    cwd: ROOT,
    env: {},
  });
  try {
    await warmUp(server.url, warm, options, false);
    return server;
  } catch (e) {
    await server.stop();
    throw e;
  }
}

interface BarePass {
  readonly load: LoadSummary;
  readonly cpu: CpuUse;
}

/** A fresh bare server's throughput pass (see `startBare`). */
async function bareThroughput(options: BenchOptions, storm: Storm, warm: Storm): Promise<BarePass> {
  const server = await startBare(options, warm);
  try {
    const cpu = cpuMeter(server.pid);
    const load = await sendStorm(server.url, storm, options);
    return { load, cpu: cpu.use() };
  } finally {
    await server.stop();
  }
}

/** CPU seconds used from now on by the server, by Redis if there is one, and by this process (the load generator). */
function cpuMeter(server: number, redis: number | null = null): { use: () => CpuUse } {
  const serverStart = cpuSeconds(server);
  const redisStart = redis === null ? 0 : cpuSeconds(redis);
  const own = process.cpuUsage();
  const round = (n: number): number => Number(n.toFixed(2));
  return {
    use: () => {
      const used = process.cpuUsage(own);
      return {
        server: round(cpuSeconds(server) - serverStart),
        redis: redis === null ? null : round(cpuSeconds(redis) - redisStart),
        loadGenerator: round((used.user + used.system) / 1e6),
      };
    },
  };
}

interface BridgeUnderTest {
  readonly bridge: ChildService;
  readonly redis: RedisInstance | null;
  stop(): Promise<void>;
}

/** A fresh bridge (and a fresh redis-server in Redis mode) with an empty data directory. */
async function startBridgeUnderTest(
  mode: BenchMode,
  command: BridgeCommand,
  cpuProfDir: string | null,
  extraEnv: Readonly<Record<string, string>>,
  redisArgs: readonly string[],
): Promise<BridgeUnderTest> {
  const redis = mode === 'redis' ? await startRedis(redisArgs) : null;
  const dataDir = scratchDir('data');
  let bridge: ChildService;
  try {
    bridge = await startChildService({
      name: `bridge (${mode})`,
      command: command.command,
      // One directory per bridge: each thread (tsx runs its loader in one) writes a profile of its own.
      args: cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, ...command.args] : command.args,
      cwd: ROOT,
      env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(redis ? { REDIS_URL: redis.url } : {}), ...extraEnv },
    });
  } catch (e) {
    await redis?.stop();
    throw e;
  }
  return {
    bridge,
    redis,
    async stop() {
      await bridge.stop();
      await redis?.stop();
      removeScratchDir(dataDir);
    },
  };
}

async function redisMemory(redis: RedisInstance, baselineBytes: number): Promise<RedisMemory> {
  const memory = await redisInfo(redis.port, 'memory');
  const keyspace = await redisInfo(redis.port, 'keyspace');
  const keys = Object.values(keyspace).reduce((sum, v) => sum + Number(/keys=(\d+)/.exec(v)?.[1] ?? 0), 0);
  return {
    baselineBytes,
    usedBytes: Number(memory.used_memory ?? 0),
    peakBytes: Number(memory.used_memory_peak ?? 0),
    keys,
  };
}

async function benchMode(
  mode: BenchMode,
  command: BridgeCommand,
  options: BenchOptions,
  storm: Storm,
  paced: Storm,
  barePasses: BarePass[],
  warm: Storm,
  wave: Storm,
): Promise<ModeResult> {
  const cpuProf = (pass: string): string | null =>
    options.cpuProfDir === null ? null : join(resolve(options.cpuProfDir), `bridge-${mode}-${pass}`);
  const pairs: { bare: LoadSummary; bridge: LoadSummary }[] = [];
  let endToEnd: ModeResult['endToEnd'] | undefined;
  let peakRssBytes = 0;
  let peakRssHttpBytes = 0;
  let memory: RedisMemory | null = null;
  let afterStorm: MemoryGauges | undefined;
  let cpuUse: CpuUse | undefined;
  for (let pass = 1; pass <= options.throughputPasses; pass++) {
    // The first pass is measured whole; the others only until the last answer, for the ratio.
    const first = pass === 1;
    const sut = await startBridgeUnderTest(
      mode,
      command,
      first ? cpuProf('throughput') : null,
      options.bridgeEnv,
      options.redisArgs,
    );
    try {
      log(`bridge, ${mode} mode: warm-up`);
      await warmUp(sut.bridge.url, warm, options, true);
      const baselineRedis =
        first && sut.redis ? Number((await redisInfo(sut.redis.port, 'memory')).used_memory ?? 0) : 0;
      const before = await decisionsTaken(sut.bridge.url);
      log(
        `bare node:http server, then bridge, ${mode} mode: throughput pass ${pass}/${options.throughputPasses}`,
      );
      const barePass = await bareThroughput(options, storm, warm);
      barePasses.push(barePass);
      // Every pass samples the bridge's memory as the first does, so that all are sent alike.
      const rss = sampleRss(sut.bridge.pid);
      const cpu = cpuMeter(sut.bridge.pid, sut.redis?.pid);
      const started = performance.now();
      const throughput = await sendStorm(sut.bridge.url, storm, options);
      pairs.push({ bare: barePass.load, bridge: throughput });
      if (!first) {
        rss.stop();
        continue;
      }
      peakRssHttpBytes = rss.peak();
      const expected = before + storm.sentAlerts;
      const drained = await waitForDecisions(sut.bridge.url, expected, options.drainTimeoutSeconds * 1000);
      peakRssBytes = rss.stop();
      cpuUse = cpu.use();
      afterStorm = await memoryGauges(sut.bridge.url);
      const seconds = drained.at === null ? null : (drained.at - started) / 1000;
      endToEnd = {
        expectedDecisions: storm.sentAlerts,
        decisions: drained.decisions - before,
        seconds: seconds === null ? null : Number(seconds.toFixed(3)),
        alertsPerSecond: seconds === null ? null : Math.round(storm.sentAlerts / seconds),
        scrapes: drained.scrapes,
        slowestScrapeMs: Number(drained.slowestScrapeMs.toFixed(1)),
      };
      if (sut.redis) memory = await redisMemory(sut.redis, baselineRedis);
    } finally {
      await sut.stop();
    }
  }
  if (endToEnd === undefined || afterStorm === undefined || cpuUse === undefined) {
    throw new Error('no throughput pass was run');
  }

  const sut = await startBridgeUnderTest(
    mode,
    command,
    cpuProf('latency'),
    options.bridgeEnv,
    options.redisArgs,
  );
  let pacedLoad: LoadSummary;
  let pacedPeakRssBytes: number;
  let pacedAofRewrites: number | null;
  let pacedCpu: CpuUse;
  let waveLoad: LoadSummary;
  let waveBacklogAlerts: number;
  try {
    log(`bridge, ${mode} mode: warm-up`);
    await warmUp(sut.bridge.url, warm, options, true);
    const beforePass = await decisionsTaken(sut.bridge.url);
    const rss = sampleRss(sut.bridge.pid);
    log(`bridge, ${mode} mode: latency pass`);
    const pacedMeter = cpuMeter(sut.bridge.pid, sut.redis?.pid);
    pacedLoad = await sendAtPace(sut.bridge.url, paced, options);
    pacedCpu = pacedMeter.use();
    // Redis forks to rewrite its append-only file once it has grown enough; on a machine it shares, the
    // child competes for the same cores, which shows in the latency of that pass.
    pacedAofRewrites = sut.redis
      ? Number((await redisInfo(sut.redis.port, 'persistence')).aof_rewrites ?? 0)
      : null;
    // Storms come in waves: the next one finds the workers busy with the last, and must be answered as
    // promptly as the first. The wave's alerts are new (another tag).
    await sleep(WAVE_AFTER_MS);
    waveBacklogAlerts = Math.max(0, beforePass + paced.sentAlerts - (await decisionsTaken(sut.bridge.url)));
    log(`bridge, ${mode} mode: second wave, ${waveBacklogAlerts} alerts of the pass still to process`);
    waveLoad = await sendAtPace(sut.bridge.url, wave, options);
    pacedPeakRssBytes = rss.stop();
  } finally {
    await sut.stop();
  }

  return {
    mode,
    runner: command.runner,
    nodeFlags: command.nodeFlags,
    ...pairPasses(pairs),
    endToEnd,
    peakRssBytes,
    peakRssHttpBytes,
    cpu: cpuUse,
    afterStorm,
    redisMemory: memory,
    paced: pacedLoad,
    pacedCpu,
    pacedPeakRssBytes,
    pacedAofRewrites,
    wave: waveLoad,
    waveBacklogAlerts,
  };
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    log(BENCH_USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const loadAtStart = Number((loadavg()[0] ?? 0).toFixed(2));
  if (loadAtStart > cpus().length / 2) {
    log(
      `note: load average ${loadAtStart} on ${cpus().length} cores before the start; the figures will be low`,
    );
  }
  const skipped: Partial<Record<BenchMode, string>> = {};
  const modes = options.modes.filter((m) => {
    const why = m === 'redis' ? redisModeUnavailable() : null;
    if (why) {
      skipped[m] = why;
      log(`skipping Redis mode: ${why}`);
    }
    return why === null;
  });
  const command = bridgeCommand(ROOT, log, options.nodeFlags);
  const storm = buildStorm({
    deliveries: options.deliveries,
    alertsPerDelivery: options.alertsPerDelivery,
    tag: '',
  });
  const paced = pacedStorm(options, storm);
  // Alerts of their own (another tag): the measured storm finds none of its incidents open.
  const warm = buildStorm({
    deliveries: options.warmUp,
    alertsPerDelivery: options.alertsPerDelivery,
    tag: 'w',
  });
  // Half a storm of its own, sent at the same pace while the bridge works off the latency pass.
  const wave = pacedStorm(
    options,
    buildStorm({
      deliveries: Math.max(1, Math.round(options.deliveries / 2)),
      alertsPerDelivery: options.alertsPerDelivery,
      tag: 'v',
    }),
  );
  log(
    `storm: ${storm.bodies.length} requests, ${storm.sentAlerts} alerts, ${(storm.bytes / 1024 ** 2).toFixed(0)} MB; ` +
      `latency pass: ${paced.bodies.length} requests at ${options.pacedRate}/s, then a wave of ${wave.bodies.length}`,
  );

  const bareServer = await startBare(options, warm);
  let barePaced: BarePass;
  try {
    log('bare node:http server: latency pass');
    const pacedMeter = cpuMeter(bareServer.pid);
    barePaced = { load: await sendAtPace(bareServer.url, paced, options), cpu: pacedMeter.use() };
  } finally {
    await bareServer.stop();
  }
  const results: ModeResult[] = [];
  const barePasses: BarePass[] = [];
  for (const mode of modes) {
    results.push(await benchMode(mode, command, options, storm, paced, barePasses, warm, wave));
  }
  if (modes.length === 0) barePasses.push(await bareThroughput(options, storm, warm));
  const bareMedian = barePasses[medianIndex(barePasses.map((p) => p.load.acceptedAlertsPerSecond))];
  if (bareMedian === undefined) throw new Error('no throughput pass of the bare server');
  const bare: BenchResult['bare'] = {
    throughput: bareMedian.load,
    passes: barePasses.map((p) => p.load.acceptedAlertsPerSecond),
    paced: barePaced.load,
    cpu: bareMedian.cpu,
    pacedCpu: barePaced.cpu,
  };

  const result: BenchResult = {
    startedAt,
    machine: machine(loadAtStart),
    source: sourceVersion(),
    options,
    storm: {
      deliveries: options.deliveries,
      requests: storm.bodies.length,
      uniqueAlerts: storm.uniqueAlerts,
      sentAlerts: storm.sentAlerts,
      incidents: storm.incidents,
      megabytes: Number((storm.bytes / 1024 ** 2).toFixed(1)),
    },
    bare,
    modes: results,
    skipped,
    targets: checkTargets(results, options.pacedRate),
  };
  log('');
  log(formatReport(result));
  if (options.out !== '') {
    const out = resolve(ROOT, options.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    formatJson(out);
    log(`\nwritten to ${options.out}`);
  }
  return 0;
}

process.on('exit', cleanUpScratch);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanUpScratch();
    process.exit(130);
  });
}
main().then(
  (code) => {
    cleanUpScratch();
    process.exitCode = code;
  },
  (e: unknown) => {
    cleanUpScratch();
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
