import type { BenchMode, BenchOptions } from './bench-options.js';
import type { MemoryGauges } from './bridge-metrics.js';
import { type LoadResult, quantile } from './http-load.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** One-minute load average at the start and at the end: other work on the machine skews every figure. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** One pass of HTTP load, reduced to what is reported. */
export interface LoadSummary {
  readonly requests: number;
  readonly accepted: number;
  readonly acceptedAlerts: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly acceptedAlertsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface EndToEnd {
  /** Alerts over all requests, duplicate deliveries included: the decisions the bridge must take. */
  readonly expectedDecisions: number;
  readonly decisions: number;
  /** From the first request to the moment the last decision was seen; null when it did not finish in time. */
  readonly seconds: number | null;
  readonly alertsPerSecond: number | null;
  /** `GET /metrics` calls made while waiting, and the slowest: the wait's own cost. */
  readonly scrapes: number;
  readonly slowestScrapeMs: number;
}

/**
 * CPU seconds used during a pass: the throughput pass (and, for the bridge, until every alert was
 * processed), or the latency pass.
 */
export interface CpuUse {
  /** The bare server or the bridge. */
  readonly server: number;
  readonly redis: number | null;
  /** The bench itself, which shares the machine. */
  readonly loadGenerator: number;
}

export interface RedisMemory {
  /** `used_memory` before the storm. */
  readonly baselineBytes: number;
  /** `used_memory` once every alert was processed. */
  readonly usedBytes: number;
  readonly peakBytes: number;
  readonly keys: number;
}

/** A throughput pass of the bridge, beside the bare server's pass sent right before it. */
export interface ThroughputPair {
  readonly bareAlertsPerSecond: number;
  readonly bridgeAlertsPerSecond: number;
  /** Bridge accepted alerts/s over the bare server's. */
  readonly ratio: number;
}

export interface ModeResult {
  readonly mode: BenchMode;
  readonly runner: 'dist' | 'tsx';
  /** Node's flags before the bridge's script (those of `npm start`). */
  readonly nodeFlags: readonly string[];
  /** The throughput pass whose ratio to the bare server's is the median one. */
  readonly throughput: LoadSummary;
  /** The median of the passes' ratios (`passes`). */
  readonly ratioToBare: number;
  /** Every throughput pass, each on a fresh bridge, in the order sent. */
  readonly passes: readonly ThroughputPair[];
  /** Of the first pass, as are the figures below up to `redisMemory`. */
  readonly endToEnd: EndToEnd;
  /** Over the throughput pass and the wait for every alert to be processed. */
  readonly peakRssBytes: number;
  /** Over the throughput pass alone, before `/metrics` is polled. */
  readonly peakRssHttpBytes: number;
  readonly cpu: CpuUse;
  /** The bridge's memory once every alert was processed. */
  readonly afterStorm: MemoryGauges;
  readonly redisMemory: RedisMemory | null;
  readonly paced: LoadSummary;
  /** During the latency pass: on a machine shared with Redis and the load generator, how busy it was. */
  readonly pacedCpu: CpuUse;
  readonly pacedPeakRssBytes: number;
  /** Append-only-file rewrites Redis did during the warm-up and latency pass (null: embedded). */
  readonly pacedAofRewrites: number | null;
  /** Half a storm of other alerts, sent at the same pace while the bridge works off the latency pass. */
  readonly wave: LoadSummary;
  /** Alerts of the latency pass not yet processed when the wave began: how busy the workers still were. */
  readonly waveBacklogAlerts: number;
}

export interface BenchResult {
  readonly startedAt: string;
  readonly machine: Machine;
  readonly source: { readonly commit: string; readonly srcChanged: boolean };
  readonly options: BenchOptions;
  readonly storm: {
    readonly deliveries: number;
    readonly requests: number;
    readonly uniqueAlerts: number;
    readonly sentAlerts: number;
    readonly incidents: number;
    readonly megabytes: number;
  };
  readonly bare: {
    /** Of the bare server's throughput passes (one before each of the bridge's), the median one. */
    readonly throughput: LoadSummary;
    /** Accepted alerts/s of each of them, in the order sent. */
    readonly passes: readonly number[];
    readonly paced: LoadSummary;
    readonly cpu: CpuUse;
    readonly pacedCpu: CpuUse;
  };
  readonly modes: readonly ModeResult[];
  /** Modes asked for but not run, with the reason. */
  readonly skipped: Readonly<Partial<Record<BenchMode, string>>>;
  readonly targets: readonly TargetCheck[];
}

export interface TargetCheck {
  readonly mode: BenchMode;
  readonly target: string;
  readonly value: string;
  readonly pass: boolean;
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

export function summarize(load: LoadResult): LoadSummary {
  return {
    requests: load.requests,
    accepted: load.accepted,
    acceptedAlerts: load.acceptedAlerts,
    failures: load.failures,
    seconds: round(load.seconds, 3),
    acceptedAlertsPerSecond: Math.round(load.acceptedAlerts / load.seconds),
    requestsPerSecond: Math.round(load.requests / load.seconds),
    p50Ms: round(quantile(load.latenciesMs, 0.5), 2),
    p99Ms: round(quantile(load.latenciesMs, 0.99), 2),
    maxMs: round(load.latenciesMs.at(-1) ?? Number.NaN, 2),
  };
}

/**
 * Where the median of `values` is: the middle one, or the lower of the two middle ones when their count
 * is even (so that a median never flatters). -1 when there are none.
 */
export function medianIndex(values: readonly number[]): number {
  if (values.length === 0) return -1;
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return order[(order.length - 1) >> 1]?.[1] ?? -1;
}

/**
 * The bridge's throughput passes, each beside the bare server's pass sent right before it, reduced to
 * the median ratio and the pass it came from. A pass lasts well under a second, and a shared machine's
 * speed moves that much from one second to the next, the bare server's figure too: a ratio of two single
 * passes taken half a minute apart said more about the moment than about the bridge (and the bare
 * server, measured first of all, found the load generator still cold). Pairs sent back to back share
 * the moment, and the median of several leaves out the one that did not.
 */
export function pairPasses(pairs: readonly { readonly bare: LoadSummary; readonly bridge: LoadSummary }[]): {
  throughput: LoadSummary;
  ratioToBare: number;
  passes: ThroughputPair[];
} {
  const passes = pairs.map(({ bare, bridge }) => ({
    bareAlertsPerSecond: bare.acceptedAlertsPerSecond,
    bridgeAlertsPerSecond: bridge.acceptedAlertsPerSecond,
    // A bare server that accepted nothing leaves nothing to compare with: no ratio that could pass.
    ratio:
      bare.acceptedAlertsPerSecond > 0
        ? round(bridge.acceptedAlertsPerSecond / bare.acceptedAlertsPerSecond, 3)
        : 0,
  }));
  const at = medianIndex(passes.map((p) => p.ratio));
  const pair = pairs[at];
  const pass = passes[at];
  if (pair === undefined || pass === undefined) throw new Error('no throughput pass');
  return { throughput: pair.bridge, ratioToBare: pass.ratio, passes };
}

export const TARGETS = {
  ratioToBare: 0.5,
  redisEndToEndAlertsPerSecond: 10_000,
  pacedP99Ms: 50,
  rssBytes: 300 * 1024 * 1024,
} as const;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** The targets, checked for each mode that ran. */
export function checkTargets(modes: readonly ModeResult[], pacedRate: number): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const m of modes) {
    checks.push({
      mode: m.mode,
      target: `accepted alerts/s >= ${TARGETS.ratioToBare} x bare`,
      value: `${m.ratioToBare.toFixed(2)} x`,
      pass: m.ratioToBare >= TARGETS.ratioToBare,
    });
    if (m.mode === 'redis') {
      checks.push({
        mode: m.mode,
        target: `end to end >= ${TARGETS.redisEndToEndAlertsPerSecond.toLocaleString('en')} alerts/s`,
        value:
          m.endToEnd.alertsPerSecond === null
            ? 'did not finish in time'
            : `${m.endToEnd.alertsPerSecond.toLocaleString('en')} alerts/s`,
        pass: (m.endToEnd.alertsPerSecond ?? 0) >= TARGETS.redisEndToEndAlertsPerSecond,
      });
    }
    checks.push({
      mode: m.mode,
      target: `p99 < ${TARGETS.pacedP99Ms} ms at ${pacedRate} deliveries/s`,
      value: `${m.paced.p99Ms.toFixed(1)} ms${m.paced.accepted === m.paced.requests ? '' : ', not all answered 202'}`,
      pass: m.paced.p99Ms < TARGETS.pacedP99Ms && m.paced.accepted === m.paced.requests,
    });
    const rss = Math.max(m.peakRssBytes, m.pacedPeakRssBytes);
    checks.push({
      mode: m.mode,
      target: `peak RSS < ${mib(TARGETS.rssBytes)}`,
      value: mib(rss),
      pass: rss < TARGETS.rssBytes,
    });
  }
  return checks;
}
