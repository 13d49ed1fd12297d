import type { BenchResult, CpuUse, LoadSummary, ModeResult } from './bench-result.js';
import { TARGETS } from './bench-result.js';
import { REDIS_ARGS } from './redis-instance.js';

const int = (n: number): string => Math.round(n).toLocaleString('en');
const ms = (n: number): string => n.toFixed(1);
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

function cpuCell(c: CpuUse): string {
  return [c.server, c.redis, c.loadGenerator].map((s) => (s === null ? '-' : s.toFixed(2))).join(' / ');
}

function failures(load: LoadSummary): string {
  const parts = Object.entries(load.failures).map(([k, v]) => `${v} x ${k}`);
  return parts.length === 0 ? `${int(load.accepted)}/${int(load.requests)}` : parts.join(', ');
}

/** Columns aligned; a row of one cell is a section heading printed as it is. */
function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) {
    if (r.length === 1) continue;
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return rows.map((r) => (r.length === 1 ? (r[0] ?? '') : line(r))).join('\n');
}

/** How the bridge was started: node, its flags and the build, or the sources through tsx when the build failed. */
function bridgeLine(m: ModeResult | undefined): string {
  const flags = (m?.nodeFlags ?? []).map((f) => `${f} `).join('');
  return m?.runner === 'tsx'
    ? `node ${flags}--import tsx src/main.ts (the build failed)`
    : `node ${flags}dist/main.js`;
}

/** The result as the table printed at the end of a run. */
export function formatReport(r: BenchResult): string {
  const modes = r.modes;
  const row = (label: string, bare: string, each: (m: ModeResult) => string, target = ''): string[] => [
    label,
    bare,
    ...modes.map(each),
    target,
  ];
  const redisOnly = (m: ModeResult, f: (x: NonNullable<ModeResult['redisMemory']>) => string): string =>
    m.redisMemory ? f(m.redisMemory) : '-';
  const s = r.storm;
  const o = r.options;
  const lines = [
    `incident-bridge bench, ${r.startedAt}`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB RAM, Node ${r.machine.node} (${r.machine.platform}), load average ${r.machine.loadAverage.start} before the run (${r.machine.loadAverage.end} after it, its own load included)`,
    `storm: ${int(s.deliveries)} Alertmanager deliveries x ${o.alertsPerDelivery} alerts, every tenth sent twice = ` +
      `${int(s.requests)} requests, ${int(s.sentAlerts)} alerts (${int(s.uniqueAlerts)} distinct in ${int(s.incidents)} incidents), ${s.megabytes} MB`,
    `source: commit ${r.source.commit}${r.source.srcChanged ? ' with uncommitted changes in src/' : ''}`,
    `bridge: ${bridgeLine(modes[0])}, LOG_LEVEL=warn, children of this process on 127.0.0.1`,
    ...(modes.some((m) => m.mode === 'redis')
      ? [`redis: redis-server ${[...REDIS_ARGS, ...o.redisArgs].map((a) => (a === '' ? "''" : a)).join(' ')}`]
      : []),
    ...Object.entries(r.skipped).map(([mode, why]) => `skipped ${mode} mode: ${why}`),
    '',
    table([
      ['', 'bare node:http', ...modes.map((m) => m.mode), 'target'],
      [
        `throughput pass: closed loop, ${o.concurrency} requests in flight; ${o.throughputPasses} per mode, each to a ` +
          'fresh bridge right after one to the bare server; shown: the median pair (end to end, CPU, memory: the first)',
      ],
      row('  answered 202', failures(r.bare.throughput), (m) => failures(m.throughput)),
      row('  HTTP phase (s)', r.bare.throughput.seconds.toFixed(2), (m) => m.throughput.seconds.toFixed(2)),
      row('  accepted alerts/s', int(r.bare.throughput.acceptedAlertsPerSecond), (m) =>
        int(m.throughput.acceptedAlertsPerSecond),
      ),
      row('  deliveries/s', int(r.bare.throughput.requestsPerSecond), (m) =>
        int(m.throughput.requestsPerSecond),
      ),
      row(
        `  bridge / bare, median of ${o.throughputPasses} pairs`,
        '1.00',
        (m) => m.ratioToBare.toFixed(2),
        `>= ${TARGETS.ratioToBare}`,
      ),
      row('  each pair, in the order sent', '-', (m) => m.passes.map((p) => p.ratio.toFixed(2)).join(' ')),
      row('  bridge alerts/s, each pass (K)', '-', (m) =>
        m.passes.map((p) => (p.bridgeAlertsPerSecond / 1000).toFixed(0)).join(' '),
      ),
      row('  bare alerts/s beside it (K)', '-', (m) =>
        m.passes.map((p) => (p.bareAlertsPerSecond / 1000).toFixed(0)).join(' '),
      ),
      row('  webhook p50 (ms)', ms(r.bare.throughput.p50Ms), (m) => ms(m.throughput.p50Ms)),
      row('  webhook p99 (ms)', ms(r.bare.throughput.p99Ms), (m) => ms(m.throughput.p99Ms)),
      row('  all processed after (s)', '-', (m) => m.endToEnd.seconds?.toFixed(2) ?? 'timeout'),
      row(
        '  end to end alerts/s',
        '-',
        (m) => (m.endToEnd.alertsPerSecond === null ? 'timeout' : int(m.endToEnd.alertsPerSecond)),
        `>= ${int(TARGETS.redisEndToEndAlertsPerSecond)} (redis)`,
      ),
      row('  CPU s: server / redis / bench', cpuCell(r.bare.cpu), (m) => cpuCell(m.cpu)),
      row(
        '  GET /metrics polls, slowest (ms)',
        '-',
        (m) => `${m.endToEnd.scrapes}, ${ms(m.endToEnd.slowestScrapeMs)}`,
      ),
      row('  GET /metrics after the storm (ms)', '-', (m) => ms(m.afterStorm.scrapeMs)),
      row('  bridge peak RSS (MB)', '-', (m) => mb(m.peakRssBytes), `< ${mb(TARGETS.rssBytes)}`),
      row('  peak RSS, HTTP phase only (MB)', '-', (m) => mb(m.peakRssHttpBytes)),
      row(
        '  after: RSS / heap used (MB)',
        '-',
        (m) => `${mb(m.afterStorm.rssBytes)} / ${mb(m.afterStorm.heapUsedBytes)}`,
      ),
      row(
        '  after: heap total / external (MB)',
        '-',
        (m) => `${mb(m.afterStorm.heapTotalBytes)} / ${mb(m.afterStorm.externalBytes)}`,
      ),
      row('  redis used_memory (MB)', '-', (m) => redisOnly(m, (x) => mb(x.usedBytes))),
      row('  redis used_memory_peak (MB)', '-', (m) => redisOnly(m, (x) => mb(x.peakBytes))),
      row('  redis keys', '-', (m) => redisOnly(m, (x) => int(x.keys))),
      [
        `latency pass: open loop, the storm again to a fresh bridge, ${int(r.bare.paced.requests)} requests ` +
          `released at ${int(o.pacedRate)}/s over ${(r.bare.paced.requests / o.pacedRate).toFixed(1)} s`,
      ],
      row('  answered 202', failures(r.bare.paced), (m) => failures(m.paced)),
      row('  deliveries/s achieved', int(r.bare.paced.requestsPerSecond), (m) =>
        int(m.paced.requestsPerSecond),
      ),
      row('  p50 (ms)', ms(r.bare.paced.p50Ms), (m) => ms(m.paced.p50Ms)),
      row('  p99 (ms)', ms(r.bare.paced.p99Ms), (m) => ms(m.paced.p99Ms), `< ${TARGETS.pacedP99Ms}`),
      row('  max (ms)', ms(r.bare.paced.maxMs), (m) => ms(m.paced.maxMs)),
      row('  CPU s: server / redis / bench', cpuCell(r.bare.pacedCpu), (m) => cpuCell(m.pacedCpu)),
      row(
        '  bridge peak RSS, with the wave (MB)',
        '-',
        (m) => mb(m.pacedPeakRssBytes),
        `< ${mb(TARGETS.rssBytes)}`,
      ),
      row('  redis AOF rewrites meanwhile', '-', (m) =>
        m.pacedAofRewrites === null ? '-' : int(m.pacedAofRewrites),
      ),
      [
        `second wave: other alerts, ${int(modes[0]?.wave.requests ?? 0)} requests at ${int(o.pacedRate)}/s, ` +
          'sent while the bridge still works off the latency pass',
      ],
      row('  alerts of the pass still to process', '-', (m) => int(m.waveBacklogAlerts)),
      row('  answered 202', '-', (m) => failures(m.wave)),
      row('  p50 (ms)', '-', (m) => ms(m.wave.p50Ms)),
      row('  p99 (ms)', '-', (m) => ms(m.wave.p99Ms)),
      row('  max (ms)', '-', (m) => ms(m.wave.maxMs)),
    ]),
    ...modes
      .filter((m) => m.endToEnd.seconds === null)
      .map(
        (m) =>
          `${m.mode}: only ${int(m.endToEnd.decisions)} of ${int(m.endToEnd.expectedDecisions)} decisions within ` +
          `--drain-timeout ${o.drainTimeoutSeconds} s of the last answer`,
      ),
    '',
    'targets:',
    ...r.targets.map((t) => `  ${t.pass ? 'PASS' : 'FAIL'}  ${t.mode.padEnd(8)}  ${t.target}: ${t.value}`),
  ];
  return lines.join('\n');
}
