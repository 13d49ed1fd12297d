import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_MODES, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { DEFAULT_SIM_AUTH, type JiraSimulator, startJiraSimulator } from '../jira-sim/jira-simulator.js';

const SECRET = 'jira-webhook-secret';
const T0 = Date.parse('2026-11-20T08:00:00Z');
const at = (hours: number): string => new Date(T0 + hours * 3_600_000).toISOString();

interface ProblemJson {
  id: string;
  status: string;
  incidentIds: string[];
  fixVersion: string | null;
  rootCause: string | null;
  regressions: number;
  jira: { key: string | null } | null;
}
interface IncidentJson {
  id: string;
  status: string;
  problemId: string | null;
  jira: { key: string | null } | null;
}

function alert(host: string, status: 'firing' | 'resolved', startsAt: string, endsAt?: string) {
  return {
    version: '4',
    groupKey: '{}:{alertname="HighLatency"}',
    status,
    receiver: 'bridge',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    alerts: [
      {
        status,
        labels: { alertname: 'HighLatency', service: 'checkout', instance: host, severity: 'high' },
        annotations: { summary: `Checkout latency high on ${host}` },
        startsAt,
        endsAt: endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: `http://prometheus.example/graph?host=${host}`,
      },
    ],
  };
}

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe.each(STORE_MODES)('problems and release closure (%s store)', (mode) => {
  let sim: JiraSimulator;
  let b: TestBridge;
  beforeEach(async () => {
    sim = await startJiraSimulator({ flavor: 'cloud' });
    b = await startTestBridge({
      mode,
      env: {
        JIRA_URL: sim.url,
        JIRA_PROJECT: 'OPS',
        JIRA_API_VERSION: '3',
        JIRA_EMAIL: DEFAULT_SIM_AUTH.basic.username,
        JIRA_API_TOKEN: DEFAULT_SIM_AUTH.basic.password,
        JIRA_WEBHOOK_SECRET: SECRET,
        JIRA_RETRY_BASE_MS: '50',
        TRACKER_DEBOUNCE_MS: '20',
        TRACKER_RETRY_BASE_MS: '100',
        TRACKER_RETRY_MAX_MS: '400',
      },
    });
  });
  afterEach(async () => {
    await b.close();
    await sim.close();
  });

  const send = async (body: unknown) => {
    expect((await b.post('/webhooks/alertmanager', body)).status).toBe(202);
    await b.settle();
  };
  const jiraWebhook = async (payload: unknown, id: string, signature?: string) => {
    const body = JSON.stringify(payload);
    const r = await fetch(`${b.url}/webhooks/jira`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-atlassian-webhook-identifier': id,
        'x-hub-signature': signature ?? sign(body),
      },
      body,
    });
    await b.settle();
    return r.status;
  };
  const problems = async (): Promise<ProblemJson[]> =>
    (await b.get('/api/problems')).body.problems as ProblemJson[];
  const incidents = async (): Promise<IncidentJson[]> =>
    (await b.get('/api/incidents')).body.incidents as IncidentJson[];

  /** Three incidents of one kind on two hosts: the third makes the recurrence threshold. */
  async function recurThreeTimes(): Promise<void> {
    await send(alert('host-1', 'firing', at(0)));
    await send(alert('host-1', 'resolved', at(0), at(0.2)));
    await send(alert('host-2', 'firing', at(3)));
    await send(alert('host-2', 'resolved', at(3), at(3.2)));
    await send(alert('host-1', 'firing', at(6)));
    await send(alert('host-1', 'resolved', at(6), at(6.2)));
  }

  it('turns three recurring incidents into one problem, closes everything on release, and reopens on a regression', async () => {
    await recurThreeTimes();
    const [problem, ...others] = await problems();
    expect(others).toEqual([]);
    expect(problem?.incidentIds).toHaveLength(3);
    const all = await incidents();
    expect(all).toHaveLength(3);
    expect(all.every((i) => i.problemId === problem?.id)).toBe(true);

    // In Jira: the problem's issue, linked to each incident's issue, the problem causing the incident.
    const prbKey = problem?.jira?.key ?? '';
    expect(sim.issue(prbKey)?.issueType).toBe('Problem');
    const incKeys = all.map((i) => i.jira?.key ?? '');
    expect(incKeys.every((k) => k !== '')).toBe(true);
    const sentences = sim.links().map((l) => l.sentence);
    for (const k of incKeys) expect(sentences).toContain(`${prbKey} causes ${k}`);
    expect(sim.issue(incKeys[0] ?? '')?.links).toEqual([
      expect.objectContaining({ type: 'Problem/Incident', direction: 'inward', issue: prbKey }),
    ]);

    // A person plans the fix in Jira: a fix version on the problem's issue.
    sim.createVersion('OPS', '2.4.1');
    const auth = `Basic ${Buffer.from(`${DEFAULT_SIM_AUTH.basic.username}:${DEFAULT_SIM_AUTH.basic.password}`).toString('base64')}`;
    const put = await fetch(`${sim.url}/rest/api/3/issue/${prbKey}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { fixVersions: [{ name: '2.4.1' }] } }),
    });
    expect(put.status).toBe(204);
    const issue = sim.issue(prbKey);
    const updated = {
      webhookEvent: 'jira:issue_updated',
      issue: {
        id: issue?.id,
        key: prbKey,
        fields: { fixVersions: [{ name: '2.4.1' }], status: { statusCategory: { key: 'new' } } },
      },
    };
    expect(await jiraWebhook(updated, 'delivery-1')).toBe(202);
    expect((await problems())[0]).toMatchObject({ status: 'fix_pending', fixVersion: '2.4.1' });

    // The release: a signed webhook closes the problem's issue and every incident's issue.
    const project = (await fetch(`${sim.url}/rest/api/3/project/OPS`, {
      headers: { authorization: auth },
    }).then((r) => r.json())) as { id: string };
    const released = {
      webhookEvent: 'jira:version_released',
      version: { id: '1', name: '2.4.1', projectId: project.id, released: true },
    };
    sim.clearCalls();
    expect(await jiraWebhook(released, 'delivery-2')).toBe(202);
    expect((await problems())[0]?.status).toBe('closed');
    expect((await incidents()).every((i) => i.status === 'closed')).toBe(true);
    expect(sim.issue(prbKey)?.resolution).toBe('Fixed');
    for (const key of [prbKey, ...incKeys]) {
      const s = sim.issue(key);
      expect(s?.status).toBe('Done');
      expect(s?.comments.filter((c) => c.text.includes('Fixed in 2.4.1'))).toHaveLength(1);
    }

    // The same delivery again, and the same release under a new delivery id: nothing changes, no call.
    sim.clearCalls();
    expect(await jiraWebhook(released, 'delivery-2')).toBe(202);
    expect(await jiraWebhook(released, 'delivery-3')).toBe(202);
    expect(sim.calls).toEqual([]);

    // It happens again after the release: the problem reopens as a regression.
    await send(alert('host-2', 'firing', at(30)));
    const reopened = (await problems())[0];
    expect(reopened).toMatchObject({ status: 'open', regressions: 1 });
    expect(reopened?.incidentIds).toHaveLength(4);
    expect(sim.issue(prbKey)?.status).toBe('To Do');
    expect(sim.issue(prbKey)?.comments.some((c) => /Regression.*2\.4\.1/.test(c.text))).toBe(true);
  }, 60_000);

  it('rejects a wrong signature and ignores a replayed delivery', async () => {
    await recurThreeTimes();
    const problem = (await problems())[0];
    const prb = sim.issue(problem?.jira?.key ?? '');
    const payload = {
      webhookEvent: 'jira:issue_updated',
      issue: {
        id: prb?.id,
        key: prb?.key,
        fields: { fixVersions: [{ name: '9.9' }], status: { statusCategory: { key: 'new' } } },
      },
    };
    expect(await jiraWebhook(payload, 'd-1', sign(JSON.stringify(payload), 'not-the-secret'))).toBe(401);
    expect(await jiraWebhook(payload, 'd-1', 'garbage')).toBe(401);
    expect((await problems())[0]).toMatchObject({ status: 'open', fixVersion: null });

    expect(await jiraWebhook(payload, 'd-2')).toBe(202);
    expect((await problems())[0]?.fixVersion).toBe('9.9');
    // A person clears the fix version through the API; the replayed delivery must not set it again.
    await b.bridge.intake.submit({
      type: 'problem-patch',
      problemId: problem?.id ?? '',
      patch: { fixVersion: null },
      at: at(40),
    });
    expect(await jiraWebhook(payload, 'd-2')).toBe(202);
    expect((await problems())[0]?.fixVersion).toBeNull();
  }, 60_000);

  it('follows what engineers do in Jira: links between issues, and the comment that resolves a problem', async () => {
    await recurThreeTimes();
    const problem = (await problems())[0];
    const prb = sim.issue(problem?.jira?.key ?? '');
    // A fourth incident of another kind, that an engineer links to the problem in Jira.
    const other = { ...alert('db-1', 'firing', at(8)) };
    other.alerts = other.alerts.map((a) => ({
      ...a,
      labels: { ...a.labels, alertname: 'DiskFull', service: 'db' },
    }));
    await send(other);
    const stray = (await incidents()).find((i) => i.problemId === null);
    const strayIssue = sim.issue(stray?.jira?.key ?? '');
    expect(strayIssue).toBeDefined();
    const link = {
      sourceIssueId: prb?.id,
      destinationIssueId: strayIssue?.id,
      issueLinkType: { name: 'Problem/Incident' },
    };
    expect(
      await jiraWebhook({ webhookEvent: 'issuelink_created', issueLink: { id: 1, ...link } }, 'l-1'),
    ).toBe(202);
    expect((await b.get(`/api/incidents/${stray?.id}`)).body.incident).toMatchObject({
      problemId: problem?.id,
    });
    expect((await problems())[0]?.incidentIds).toContain(stray?.id);
    expect(
      await jiraWebhook({ webhookEvent: 'issuelink_deleted', issueLink: { id: 1, ...link } }, 'l-2'),
    ).toBe(202);
    expect((await b.get(`/api/incidents/${stray?.id}`)).body.incident).toMatchObject({ problemId: null });

    // The problem's issue resolved by a person, with the conclusion in the resolving comment.
    const comment = {
      body: {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Pool exhausted by retries' }] }],
      },
    };
    const resolved = {
      webhookEvent: 'jira:issue_updated',
      issue: {
        id: prb?.id,
        key: prb?.key,
        fields: { fixVersions: [], status: { statusCategory: { key: 'done' } } },
      },
      comment,
    };
    expect(await jiraWebhook(resolved, 'r-1')).toBe(202);
    expect((await problems())[0]).toMatchObject({ rootCause: 'Pool exhausted by retries', status: 'closed' });
  }, 60_000);

  it('closes everything through POST /api/releases, as CI would', async () => {
    await recurThreeTimes();
    const problem = (await problems())[0];
    const r = await fetch(`${b.url}/api/problems/${problem?.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rootCause: 'connection pool too small', fixVersion: '3.0.0' }),
    });
    expect(r.status).toBe(200);
    await b.settle();
    const prbKey = problem?.jira?.key ?? '';
    expect(sim.issue(prbKey)?.fixVersions).toEqual(['3.0.0']);

    const release = await b.post('/api/releases', { version: '3.0.0' });
    expect(release.status).toBe(200);
    expect(release.body).toMatchObject({ version: '3.0.0', problems: [problem?.id] });
    await b.settle();
    expect((await problems())[0]).toMatchObject({ status: 'closed', rootCause: 'connection pool too small' });
    expect(sim.issue(prbKey)).toMatchObject({ status: 'Done', resolution: 'Fixed' });
    for (const i of await incidents()) {
      expect(i.status).toBe('closed');
      const issue = sim.issue(i.jira?.key ?? '');
      expect(issue?.status).toBe('Done');
      expect(issue?.comments.filter((c) => c.text.includes('Fixed in 3.0.0'))).toHaveLength(1);
    }

    sim.clearCalls();
    const again = await b.post('/api/releases', { version: '3.0.0' });
    expect(again.body).toMatchObject({ problems: [], incidents: [] });
    await b.settle();
    expect(sim.calls).toEqual([]);

    const bad = await b.post('/api/releases', { version: '' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.details)).toContain('version');
  }, 60_000);
});
