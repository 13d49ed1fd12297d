import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, STORE_MODES, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { jiraSimEnv } from '../helpers/jira-env.js';
import { until } from '../helpers/until.js';
import { type JiraSimulator, startJiraSimulator } from '../jira-sim/jira-simulator.js';

interface IncidentJson {
  id: string;
  priority: string | null;
  sla: {
    responseDueAt: string;
    resolutionDueAt: string;
    state: 'ok' | 'warning' | 'breached';
    remainingMs: number;
  } | null;
  jira: { key: string | null } | null;
}

const OPENED = '2026-11-20T17:30:00.000Z';
const MINUTE = 60_000;

/** One critical alert from Alertmanager, firing since the clock's now. */
const criticalAlert = (startsAt: string) => ({
  version: '4',
  groupKey: '{}:{alertname="DatabaseDown"}',
  status: 'firing',
  receiver: 'bridge',
  groupLabels: { alertname: 'DatabaseDown' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DatabaseDown', service: 'orders', instance: 'db-1', severity: 'critical' },
      annotations: { summary: 'Orders database is down' },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph',
    },
  ],
});

/** The value of one series in a Prometheus text exposition. */
function series(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

const commentsWith = (sim: JiraSimulator, key: string, words: string): number =>
  sim.issue(key)?.comments.filter((c) => c.text.includes(words)).length ?? 0;

describe.each(STORE_MODES)('SLA clock against Jira (%s store)', (mode) => {
  let sim: JiraSimulator;
  let b: TestBridge;
  let clock: ManualClock;
  beforeEach(async () => {
    sim = await startJiraSimulator({ flavor: 'cloud' });
    clock = new ManualClock(Date.parse(OPENED));
    // The scheduled pass would not find anything the test does not check itself; keep it out of the way.
    b = await startTestBridge({ mode, clock, env: { ...jiraSimEnv(sim), SLA_CHECK_INTERVAL: '1h' } });
  });
  afterEach(async () => {
    await b.close();
    await sim.close();
  });

  const incident = async (): Promise<IncidentJson> => {
    const list = (await b.get('/api/incidents')).body.incidents as IncidentJson[];
    const [only] = list;
    if (!only || list.length !== 1) throw new Error(`expected one incident, got ${list.length}`);
    return only;
  };
  const check = async (): Promise<number> => {
    const marks = await b.bridge.checkSla();
    await b.settle();
    return marks;
  };
  const metrics = async (): Promise<string> => (await fetch(`${b.url}/metrics`)).text();

  it('gives a critical alert P1, a due time 4 hours later in Jira, then warns at 75% and breaches at 100%, once each', async () => {
    expect((await b.post('/webhooks/alertmanager', criticalAlert(OPENED))).status).toBe(202);
    await b.settle();

    const opened = await incident();
    expect(opened.priority).toBe('P1');
    expect(opened.sla).toMatchObject({
      responseDueAt: '2026-11-20T17:45:00.000Z',
      resolutionDueAt: '2026-11-20T21:30:00.000Z',
      state: 'ok',
      remainingMs: 4 * 60 * MINUTE,
    });
    const key = opened.jira?.key ?? '';
    expect(sim.issue(key)).toMatchObject({ priority: 'Highest', duedate: '2026-11-20' });
    expect(sim.issue(key)?.labels).not.toContain('sla-breached');

    // Ten minutes before 75%: nothing.
    clock.set('2026-11-20T20:20:00.000Z');
    expect(await check()).toBe(0);
    expect((await incident()).sla).toMatchObject({ state: 'ok', remainingMs: 70 * MINUTE });

    // Past 75% (3 of 4 hours): the warning, once however often the check runs.
    clock.set('2026-11-20T20:31:00.000Z');
    expect(await check()).toBe(1);
    expect(await check()).toBe(0);
    expect((await incident()).sla).toMatchObject({ state: 'warning', remainingMs: 59 * MINUTE });
    expect(commentsWith(sim, key, 'SLA warning')).toBe(1);
    expect(sim.issue(key)?.labels).not.toContain('sla-breached');
    expect(series(await metrics(), 'incident_bridge_sla_warnings_total{priority="P1"}')).toBe(1);

    // Past 100%: the breach, with its label, once.
    clock.set('2026-11-20T21:31:00.000Z');
    expect(await check()).toBe(1);
    clock.advance(10 * MINUTE);
    expect(await check()).toBe(0);
    expect((await incident()).sla).toMatchObject({ state: 'breached', remainingMs: -11 * MINUTE });
    expect(commentsWith(sim, key, 'SLA warning')).toBe(1);
    expect(commentsWith(sim, key, 'SLA breached')).toBe(1);
    expect(sim.issue(key)?.labels).toContain('sla-breached');
    expect(sim.issue(key)?.labels).toContain(`incident-bridge-${opened.id}`);
    expect(sim.issue(key)?.priority).toBe('Highest');
    const figures = await metrics();
    expect(series(figures, 'incident_bridge_sla_warnings_total{priority="P1"}')).toBe(1);
    expect(series(figures, 'incident_bridge_sla_breaches_total{priority="P1"}')).toBe(1);
    expect(series(figures, 'incident_bridge_open_incidents{priority="P1"}')).toBe(1);
    expect(
      series(figures, 'incident_bridge_incidents_opened_total{source="alertmanager",priority="P1"}'),
    ).toBe(1);
    expect(sim.issues()).toHaveLength(1);
  });

  it('moves the due date in Jira when a high alert turns critical, counted from the opening', async () => {
    const high = criticalAlert(OPENED);
    const [first] = high.alerts;
    if (!first) throw new Error('no alert');
    first.labels.severity = 'high';
    await b.post('/webhooks/alertmanager', high);
    await b.settle();
    const p2 = await incident();
    // Friday 17:30 on Monday-to-Friday 09:00-18:00: due Monday 12:30.
    expect(p2).toMatchObject({ priority: 'P2', sla: { resolutionDueAt: '2026-11-23T12:30:00.000Z' } });
    const key = p2.jira?.key ?? '';
    expect(sim.issue(key)).toMatchObject({ priority: 'High', duedate: '2026-11-23' });

    clock.advance(20 * MINUTE);
    await b.post('/webhooks/alertmanager', criticalAlert(OPENED));
    await b.settle();
    expect(await incident()).toMatchObject({
      priority: 'P1',
      sla: { resolutionDueAt: '2026-11-20T21:30:00.000Z' },
    });
    expect(sim.issue(key)).toMatchObject({ priority: 'Highest', duedate: '2026-11-20' });
    expect(commentsWith(sim, key, 'priority changed to P1')).toBe(1);
  });
});

describe('the scheduled SLA check on Redis, with two instances', () => {
  let sim: JiraSimulator;
  let dataDir: string;
  const bridges: TestBridge[] = [];
  beforeEach(async () => {
    sim = await startJiraSimulator({ flavor: 'cloud' });
    dataDir = mkdtempSync(join(tmpdir(), 'ib-sla-'));
  });
  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs once per deployment: the breach is told once although both instances schedule the check', async () => {
    const clock = new ManualClock(Date.parse(OPENED));
    // Same data directory, so the same Redis prefix: two replicas of one deployment.
    const env = { ...jiraSimEnv(sim), SLA_CHECK_INTERVAL: '200ms' };
    bridges.push(await startTestBridge({ mode: 'redis', clock, env, dataDir }));
    bridges.push(await startTestBridge({ mode: 'redis', clock, env, dataDir }));
    const [a, b] = bridges;
    if (!a || !b) throw new Error('two bridges expected');
    await a.post('/webhooks/alertmanager', criticalAlert(OPENED));
    await a.settle();
    const key = await until(async () => {
      const [i] = (await b.get('/api/incidents')).body.incidents as IncidentJson[];
      return i?.jira?.key ?? null;
    }, 'the issue');

    clock.set('2026-11-20T22:00:00.000Z');
    await until(async () => (commentsWith(sim, key, 'SLA breached') > 0 ? true : null), 'the breach comment');
    await until(async () => (sim.issue(key)?.labels.includes('sla-breached') ? true : null), 'the label');
    // Several more passes of the scheduler go by: still one breach, one comment.
    await new Promise((r) => setTimeout(r, 1_000));
    await Promise.all([a.settle(), b.settle()]);
    const total = async (name: string): Promise<number> => {
      const texts = await Promise.all(bridges.map(async (x) => (await fetch(`${x.url}/metrics`)).text()));
      return texts.reduce((sum, t) => sum + series(t, name), 0);
    };
    expect(commentsWith(sim, key, 'SLA breached')).toBe(1);
    expect(commentsWith(sim, key, 'SLA warning')).toBe(0);
    expect(await total('incident_bridge_sla_breaches_total{priority="P1"}')).toBe(1);
    const [i] = (await a.get('/api/incidents')).body.incidents as IncidentJson[];
    expect(i?.sla?.state).toBe('breached');
  }, 60_000);
});
