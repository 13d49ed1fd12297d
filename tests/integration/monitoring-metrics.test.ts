import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { sharedRedisServer, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';
import { metricNamesInPromQL, seriesNamesInExposition } from '../helpers/promql-metric-names.js';
import { runProgram } from '../helpers/run-program.js';
import { DEFAULT_SIM_AUTH, type JiraSimulator, startJiraSimulator } from '../jira-sim/jira-simulator.js';

// The dashboard and the alerts about the bridge query the bridge's own metrics: a renamed or dropped
// metric must fail here, not leave an empty panel or an alert that can never fire.

const ROOT = join(import.meta.dirname, '..', '..');
const DASHBOARD = 'dashboards/incident-bridge.json';
const RULES = 'rules/prometheus/incident-bridge.rules.yml';
/** Series that Prometheus makes itself for every scrape target. */
const FROM_PROMETHEUS = new Set(['up']);

interface Panel {
  readonly id: number;
  readonly title: string;
  readonly type: string;
  readonly datasource?: { type?: string; uid?: string };
  readonly targets?: { expr?: string; datasource?: { uid?: string } }[];
  readonly panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARD), 'utf8')) as {
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string | { query?: string } }[] };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

/** Every PromQL query of the dashboard, with where it is. */
const dashboardQueries: { where: string; expr: string }[] = [
  ...panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}"`, expr: t.expr ?? '' })),
  ),
  ...dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({
      where: `variable ${v.name}`,
      expr: typeof v.query === 'string' ? v.query : (v.query?.query ?? ''),
    })),
];

const ruleQueries: { where: string; expr: string }[] = z
  .object({
    groups: z.array(
      z.object({ rules: z.array(z.looseObject({ alert: z.string().optional(), expr: z.string() })) }),
    ),
  })
  .parse(parse(readFileSync(join(ROOT, RULES), 'utf8')))
  .groups.flatMap((g) => g.rules.map((r) => ({ where: r.alert ?? 'recording rule', expr: r.expr })));

/** `name (where, where)` for each queried name the bridge does not export. */
function unexported(queries: { where: string; expr: string }[], exported: Set<string>): string[] {
  const missing = new Map<string, string[]>();
  for (const q of queries)
    for (const name of metricNamesInPromQL(q.expr))
      if (!exported.has(name) && !FROM_PROMETHEUS.has(name))
        missing.set(name, [...(missing.get(name) ?? []), q.where]);
  return [...missing].map(([name, where]) => `${name} (${where.join(', ')})`);
}

describe('the metrics the dashboard and the alerts query', () => {
  let sim: JiraSimulator;
  /** Stands for Alertmanager's API (no alerts) and for a notification target (takes everything). */
  let peer: Server;
  let bridge: TestBridge;
  let exported: Set<string>;

  beforeAll(async () => {
    // Production mode with Jira, catch-up and notifications: every metric the bridge has is registered.
    sim = await startJiraSimulator();
    peer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'));
    await new Promise<void>((ok) => peer.listen(0, '127.0.0.1', ok));
    const peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
    bridge = await startTestBridge({
      mode: 'redis',
      env: {
        JIRA_URL: sim.url,
        JIRA_PROJECT: 'OPS',
        JIRA_API_VERSION: '3',
        JIRA_EMAIL: DEFAULT_SIM_AUTH.basic.username,
        JIRA_API_TOKEN: DEFAULT_SIM_AUTH.basic.password,
        TRACKER_DEBOUNCE_MS: '0',
        ALERTMANAGER_URL: peerUrl,
        NOTIFY_URL: `${peerUrl}/notify`,
      },
    });
    expect(
      (await bridge.post('/webhooks/alertmanager', fixture('alertmanager', '01-firing-single'))).status,
    ).toBe(202);
    await bridge.settle();
    const res = await fetch(`${bridge.url}/metrics`);
    expect(res.status).toBe(200);
    exported = seriesNamesInExposition(await res.text());
  });

  afterAll(async () => {
    await bridge?.close();
    await sim?.close();
    await new Promise((ok) => peer?.close(ok));
    await (await sharedRedisServer()).remove();
  });

  it('are found in the queries: the dashboard covers ingest, decisions, incidents, SLA, Jira, queue, catch-up', () => {
    const names = new Set(dashboardQueries.flatMap((q) => metricNamesInPromQL(q.expr)));
    for (const expected of [
      'incident_bridge_alerts_received_total',
      'incident_bridge_decisions_total',
      'incident_bridge_incidents',
      'incident_bridge_webhook_request_duration_seconds_bucket',
      'incident_bridge_jira_calls_total',
      'incident_bridge_jira_rate_limit_wait_seconds_total',
      'incident_bridge_queue_jobs',
      'incident_bridge_queue_oldest_job_age_seconds',
      'incident_bridge_open_incidents',
      'incident_bridge_sla_breaches_total',
      'incident_bridge_catchup_runs_total',
      'incident_bridge_notifications_total',
    ])
      expect(names).toContain(expected);
  });

  it('are all exported by the bridge: every query of the dashboard', () => {
    expect(exported.has('incident_bridge_webhook_request_duration_seconds_bucket')).toBe(true);
    expect(unexported(dashboardQueries, exported)).toEqual([]);
  });

  it('are all exported by the bridge, or made by Prometheus (up): every Prometheus alert', () => {
    expect(unexported(ruleQueries, exported)).toEqual([]);
  });

  it('would be reported when the bridge does not export them', () => {
    const before = unexported(ruleQueries, exported);
    const fewer = new Set([...exported].filter((n) => !n.startsWith('incident_bridge_jira_')));
    expect(unexported(ruleQueries, fewer).filter((m) => !before.includes(m))).toEqual([
      'incident_bridge_jira_calls_total (IncidentBridgeJiraFailing)',
      'incident_bridge_jira_rate_limit_wait_seconds_total (IncidentBridgeJiraRateLimited)',
    ]);
  });
});

describe('the dashboard queries', () => {
  it('all read the dashboard data source variable', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable?.query).toBe('prometheus');
    const uid = `\${${variable?.name}}`;
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource?.uid, `panel ${p.id}`).toBe(uid);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, `panel ${p.id}`).toBe(uid);
    }
  });

  it('are valid PromQL once Grafana has put in its variables (promtool)', async () => {
    const promql = dashboardQueries.filter((q) => !q.expr.startsWith('label_values('));
    expect(promql.length).toBeGreaterThan(20);
    const rules = {
      groups: [
        {
          name: 'dashboard',
          rules: promql.map((q, i) => ({
            record: `dashboard:query_${i}`,
            expr: q.expr.replace(/\$\{?__\w+\}?/g, '1m').replace(/\$\{?\w+\}?/g, 'x'),
          })),
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'ib-dashboard-'));
    try {
      const file = join(dir, 'dashboard.rules.json');
      writeFileSync(file, JSON.stringify(rules));
      const run = await runProgram('promtool', ['check', 'rules', file]);
      expect(run.code, run.output).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
