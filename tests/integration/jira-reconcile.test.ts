import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCalls } from '../contract/openapi-contract.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { jiraSimEnv } from '../helpers/jira-env.js';
import { storm } from '../helpers/storm.js';
import { until } from '../helpers/until.js';
import { type JiraSimulator, startJiraSimulator } from '../jira-sim/jira-simulator.js';

interface IncidentJson {
  id: string;
  status: string;
  jira: { key: string | null; url: string | null; syncedAt: string | null; error?: string } | null;
}

const VERSIONS = [
  { api: '3', flavor: 'cloud' },
  { api: '2', flavor: 'datacenter' },
] as const;

async function sendAll(b: TestBridge, deliveries: ReturnType<typeof storm>, concurrency = 10): Promise<void> {
  for (let i = 0; i < deliveries.length; i += concurrency) {
    const answers = await Promise.all(
      deliveries.slice(i, i + concurrency).map((d) => b.post('/webhooks/alertmanager', d.body)),
    );
    for (const a of answers) expect(a.status).toBe(202);
  }
  await b.settle();
}

const all = async (b: TestBridge): Promise<IncidentJson[]> =>
  (await b.get('/api/incidents?limit=1000')).body.incidents as IncidentJson[];

describe.each(VERSIONS)('Jira reconciliation on REST v$api ($flavor)', ({ api, flavor }) => {
  let sim: JiraSimulator;
  let b: TestBridge;
  beforeEach(async () => {
    sim = await startJiraSimulator({ flavor });
    b = await startTestBridge({ env: jiraSimEnv(sim, api) });
  });
  afterEach(async () => {
    await b.close();
    await sim.close();
  });

  it('makes exactly one issue per incident in a storm, and no call at all when the storm repeats', async () => {
    const deliveries = storm({ incidents: 50, alerts: 2000, deliveries: 200 });
    await sendAll(b, deliveries);
    const incidents = await all(b);
    expect(incidents).toHaveLength(50);
    const issues = sim.issues();
    expect(issues).toHaveLength(50);
    const keys = new Set(incidents.map((i) => i.jira?.key));
    expect(keys.size).toBe(50);
    for (const i of incidents) {
      expect(i.jira?.error).toBeUndefined();
      const issue = issues.find((x) => x.key === i.jira?.key);
      expect(issue?.labels).toContain(`incident-bridge-${i.id}`);
      expect(issue?.priority).toBe('Highest');
    }
    const callsAfterStorm = sim.calls.length;
    const perIncident = callsAfterStorm / 50;
    console.info(
      `jira v${api}: ${callsAfterStorm} calls for 50 incidents (${perIncident.toFixed(1)} per incident)`,
    );

    await sendAll(b, deliveries);
    expect(sim.calls.length).toBe(callsAfterStorm);
  }, 120_000);

  it('comments and transitions once on resolve and once on reopen', async () => {
    const [fire] = storm({ incidents: 1, alerts: 3, deliveries: 1 });
    const [resolve] = storm({
      incidents: 1,
      alerts: 3,
      deliveries: 1,
      status: 'resolved',
      endsAt: '2026-11-22T20:10:00Z',
    });
    const [refire] = storm({ incidents: 1, alerts: 3, deliveries: 1, startsAt: '2026-11-22T20:20:00Z' });
    if (!fire || !resolve || !refire) throw new Error('storm too small');
    await sendAll(b, [fire]);
    const key = (await all(b))[0]?.jira?.key ?? '';
    expect(sim.issue(key)?.status).toBe('To Do');
    const count = (path: RegExp, method = 'POST') =>
      sim.calls.filter((c) => c.method === method && path.test(c.path)).length;
    const comments = () => count(/\/comment$/);
    const transitions = () => count(/\/transitions$/);

    await sendAll(b, [resolve]);
    await sendAll(b, [resolve]);
    expect(sim.issue(key)?.status).toBe('Done');
    expect(sim.issue(key)?.resolution).toBe('Done');
    expect([comments(), transitions()]).toEqual([1, 1]);

    await sendAll(b, [refire]);
    await sendAll(b, [refire]);
    expect(sim.issue(key)?.status).toBe('To Do');
    expect([comments(), transitions()]).toEqual([2, 2]);
    expect(sim.issues()).toHaveLength(1);
  });

  it('never reopens an issue a person resolved as won’t fix', async () => {
    const [fire] = storm({ incidents: 1, alerts: 1, deliveries: 1 });
    const [resolve] = storm({
      incidents: 1,
      alerts: 1,
      deliveries: 1,
      status: 'resolved',
      endsAt: '2026-11-22T20:10:00Z',
    });
    const [refire] = storm({ incidents: 1, alerts: 1, deliveries: 1, startsAt: '2026-11-22T20:20:00Z' });
    if (!fire || !resolve || !refire) throw new Error('storm too small');
    await sendAll(b, [fire]);
    const key = (await all(b))[0]?.jira?.key ?? '';
    sim.transitionIssue(key, 'Done', { resolution: "Won't Fix" });
    await sendAll(b, [resolve]);
    await sendAll(b, [refire]);
    expect(sim.issue(key)?.status).toBe('Done');
    expect(sim.issue(key)?.resolution).toBe("Won't Fix");
  });

  it('waits out every Retry-After and ends in the same state', async () => {
    // One job at a time, so no call is already on its way when a 429 comes back.
    await b.close();
    b = await startTestBridge({ env: { ...jiraSimEnv(sim, api), TRACKER_CONCURRENCY: '1' } });
    sim.faults.set({ every429: 3, retryAfterSeconds: 2 });
    await sendAll(b, storm({ incidents: 3, alerts: 30, deliveries: 6 }));
    const limited = sim.calls.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const c of limited) {
      const early = sim.calls.filter((x) => x.time > c.time && x.time < c.time + 2000);
      expect(early.map((x) => `${x.method} ${x.path}`)).toEqual([]);
    }
    expect(sim.issues()).toHaveLength(3);
    expect((await all(b)).every((i) => i.jira?.key && !i.jira.error)).toBe(true);
  }, 60_000);

  it('keeps answering 202 while Jira is down and makes the issues once it is back', async () => {
    await sim.faults.down(true);
    await Promise.all(
      storm({ incidents: 4, alerts: 8, deliveries: 4 }).map(async (d) => {
        expect((await b.post('/webhooks/alertmanager', d.body)).status).toBe(202);
      }),
    );
    // Each job tries a few times, then records why it failed and waits for its retry.
    const waiting = await until(async () => {
      const list = await all(b);
      return list.some((i) => i.jira?.error) ? list : null;
    }, 'a tracker error recorded on an incident');
    expect(waiting).toHaveLength(4);
    expect(waiting.every((i) => i.jira?.key == null)).toBe(true);
    expect(waiting.find((i) => i.jira?.error)?.jira?.error).toMatch(/jira search failed: ECONNREFUSED/);
    expect(
      (
        await b.post(
          '/webhooks/alertmanager',
          storm({ incidents: 1, alerts: 1, deliveries: 1, name: 'Late' })[0]?.body,
        )
      ).status,
    ).toBe(202);
    await sim.faults.down(false);
    await b.settle();
    expect(sim.issues()).toHaveLength(5);
    expect((await all(b)).every((i) => i.jira?.key && !i.jira.error)).toBe(true);
  }, 60_000);
});

describe('the bridge on Jira Cloud, against the OpenAPI description', () => {
  it('sends only requests, and gets only answers, that Atlassian’s REST v3 description allows', async () => {
    const sim = await startJiraSimulator({ flavor: 'cloud' });
    const b = await startTestBridge({ env: jiraSimEnv(sim, '3') });
    try {
      const [fire] = storm({ incidents: 1, alerts: 2, deliveries: 1 });
      const [more] = storm({ incidents: 1, alerts: 4, deliveries: 1, name: 'Storm' }).map((d) => ({
        ...d,
        body: { ...d.body, alerts: (d.body.alerts as unknown[]).slice(2) },
      }));
      const [resolve] = storm({ incidents: 1, alerts: 4, deliveries: 1, status: 'resolved' });
      const [refire] = storm({ incidents: 1, alerts: 2, deliveries: 1, startsAt: '2026-11-22T20:40:00Z' });
      if (!fire || !more || !resolve || !refire) throw new Error('storm too small');
      for (const d of [fire, more, resolve, refire]) await sendAll(b, [d]);
      const { problems, operations } = checkCalls(sim.calls);
      expect(problems).toEqual([]);
      expect([...operations].sort()).toEqual(
        [
          'addComment',
          'createIssue',
          'doTransition',
          'editIssue',
          'getIssue',
          'getTransitions',
          'searchAndReconsileIssuesUsingJqlPost',
        ].sort(),
      );
    } finally {
      await b.close();
      await sim.close();
    }
  }, 60_000);
});
