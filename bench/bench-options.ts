import { parseArgs } from 'node:util';

export type BenchMode = 'embedded' | 'redis';

export interface BenchOptions {
  /** Distinct Alertmanager deliveries in the storm; every tenth is sent twice on top. */
  readonly deliveries: number;
  readonly alertsPerDelivery: number;
  /** Requests in flight at once in the throughput pass. */
  readonly concurrency: number;
  /** Throughput passes per mode, each on a fresh bridge right after one of the bare server's. */
  readonly throughputPasses: number;
  readonly modes: readonly BenchMode[];
  /** Deliveries per second released by the paced latency pass. */
  readonly pacedRate: number;
  /** The paced latency pass sends the storm's requests, but stops releasing them after this long. */
  readonly pacedSeconds: number;
  /** Longest wait for the bridge to process every alert after the last answer. */
  readonly drainTimeoutSeconds: number;
  /** Where the JSON result goes; `''` writes none. */
  readonly out: string;
  /** When set, each bridge runs with `--cpu-prof` and writes its profile here. */
  readonly cpuProfDir: string | null;
  /**
   * Deliveries of a storm of their own sent to every server (bare and bridge) before each measured
   * pass, and processed, so that the figures are those of a running server, not of its JIT compiler.
   */
  readonly warmUp: number;
  /** Extra arguments for every redis-server, e.g. `--auto-aof-rewrite-min-size 1gb`. */
  readonly redisArgs: readonly string[];
  /** Extra variables for every bridge (to compare settings such as INGEST_THREADS). */
  readonly bridgeEnv: Readonly<Record<string, string>>;
  /** Node's flags for every bridge instead of those of `npm start`; null keeps those. */
  readonly nodeFlags: readonly string[] | null;
}

export const BENCH_USAGE = `usage: npm run bench -- [options]   (each option also as an env variable, e.g. BENCH_DELIVERIES)
  --deliveries N           Alertmanager deliveries in the storm (default 1000; every tenth is sent twice)
  --alerts-per-delivery N  alerts in each delivery (default 100); incidents = alerts / 50
  --concurrency N          requests in flight in the throughput pass (default 32)
  --throughput-passes N    throughput passes per mode, each to a fresh bridge right after one to the
                           bare server; the ratio is the median of the pairs' (default 3)
  --mode M                 embedded | redis | both (default both)
  --paced-rate N           deliveries per second in the latency pass, which sends the storm again to a
                           fresh bridge, paced (default 1000)
  --paced-seconds S        stop the latency pass after this long, at most 10 (default 10)
  --drain-timeout S        longest wait for every alert to be processed (default 120)
  --out FILE               JSON result (default bench/results/latest.json; '' for none)
  --cpu-prof DIR           run each bridge with node --cpu-prof, profiles into DIR/bridge-<mode>-<pass>;
                           read one with npx tsx bench/profile-summary.ts DIR/bridge-redis-throughput
  --warm-up N              deliveries of another storm sent to each server, and processed, before each
                           measured pass (default 200; 0 measures cold servers)
  --redis-args="ARGS"      extra redis-server arguments, e.g. --redis-args="--auto-aof-rewrite-min-size 1gb"
                           (with "=": a value that begins with a dash is not taken otherwise)
  --bridge-env K=V,K=V     extra environment for every bridge, e.g. INGEST_THREADS=1,WORKER_CONCURRENCY=32
  --node-flags="FLAGS"     node's flags for every bridge instead of those of npm start, e.g.
                           --node-flags="--v8-pool-size=4"; --node-flags= runs it with none`;

function bridgeEnv(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of raw.split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--bridge-env: expected NAME=value, got ${pair}`);
    env[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return env;
}

function nodeFlags(raw: string | undefined): string[] | null {
  return raw === undefined ? null : raw.split(/\s+/).filter((f) => f !== '');
}

function positiveInt(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name}: expected a whole number 1..${max}`);
  return n;
}

function wholeNumber(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${name}: expected a whole number 0..${max}`);
  return n;
}

function positiveNumber(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new Error(`${name}: expected a number above 0, up to ${max}`);
  return n;
}

function modes(raw: string): BenchMode[] {
  if (raw === 'both') return ['embedded', 'redis'];
  if (raw === 'embedded' || raw === 'redis') return [raw];
  throw new Error('--mode: expected embedded, redis or both');
}

/** Reads the options from the command line, then `BENCH_*` variables, then the defaults. */
export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      deliveries: { type: 'string' },
      'alerts-per-delivery': { type: 'string' },
      concurrency: { type: 'string' },
      'throughput-passes': { type: 'string' },
      mode: { type: 'string' },
      'paced-rate': { type: 'string' },
      'paced-seconds': { type: 'string' },
      'drain-timeout': { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'bridge-env': { type: 'string' },
      'warm-up': { type: 'string' },
      'redis-args': { type: 'string' },
      'node-flags': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const pick = (flag: keyof typeof values, variable: string, fallback: string): string => {
    const v = values[flag];
    return typeof v === 'string' ? v : (env[variable] ?? fallback);
  };
  return {
    deliveries: positiveInt('--deliveries', pick('deliveries', 'BENCH_DELIVERIES', '1000'), 1_000_000),
    alertsPerDelivery: positiveInt(
      '--alerts-per-delivery',
      pick('alerts-per-delivery', 'BENCH_ALERTS_PER_DELIVERY', '100'),
      10_000,
    ),
    concurrency: positiveInt('--concurrency', pick('concurrency', 'BENCH_CONCURRENCY', '32'), 1024),
    throughputPasses: positiveInt(
      '--throughput-passes',
      pick('throughput-passes', 'BENCH_THROUGHPUT_PASSES', '3'),
      20,
    ),
    modes: modes(pick('mode', 'BENCH_MODE', 'both')),
    pacedRate: positiveInt('--paced-rate', pick('paced-rate', 'BENCH_PACED_RATE', '1000'), 100_000),
    pacedSeconds: positiveNumber('--paced-seconds', pick('paced-seconds', 'BENCH_PACED_SECONDS', '10'), 10),
    drainTimeoutSeconds: positiveNumber(
      '--drain-timeout',
      pick('drain-timeout', 'BENCH_DRAIN_TIMEOUT', '120'),
      3600,
    ),
    out: pick('out', 'BENCH_OUT', 'bench/results/latest.json'),
    cpuProfDir: pick('cpu-prof', 'BENCH_CPU_PROF', '') || null,
    warmUp: wholeNumber('--warm-up', pick('warm-up', 'BENCH_WARM_UP', '200'), 100_000),
    redisArgs: pick('redis-args', 'BENCH_REDIS_ARGS', '')
      .split(/\s+/)
      .filter((a) => a !== ''),
    bridgeEnv: bridgeEnv(pick('bridge-env', 'BENCH_BRIDGE_ENV', '')),
    nodeFlags: nodeFlags(values['node-flags'] ?? env.BENCH_NODE_FLAGS),
  };
}
