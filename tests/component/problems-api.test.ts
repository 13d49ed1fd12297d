import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_MODES, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';

interface ProblemJson {
  id: string;
  key: string;
  title: string;
  status: string;
  incidentIds: string[];
  rootCause: string | null;
  fixVersion: string | null;
}

describe.each(STORE_MODES)('problems API (%s store)', (mode) => {
  let b: TestBridge;
  let ids: string[];
  beforeEach(async () => {
    b = await startTestBridge({ mode });
    for (const f of ['01-firing-single', '04-firing-group-3', '07-firing-critical']) {
      expect((await b.post('/webhooks/alertmanager', fixture('alertmanager', f))).status).toBe(202);
    }
    await b.settle();
    ids = ((await b.get('/api/incidents')).body.incidents as { id: string }[]).map((i) => i.id).sort();
    expect(ids).toHaveLength(3);
  });
  afterEach(async () => {
    await b.close();
  });

  it('opens a problem by hand for chosen incidents and links them', async () => {
    const r = await b.post('/api/problems', { title: 'Storage latency', incidentIds: ids.slice(0, 2) });
    expect(r.status).toBe(201);
    const problem = r.body.problem as ProblemJson;
    expect(problem).toMatchObject({
      id: 'PRB-1',
      status: 'open',
      title: 'Storage latency',
      key: 'manual:PRB-1',
    });
    expect([...problem.incidentIds].sort()).toEqual(ids.slice(0, 2));
    await b.settle();
    const one = await b.get(`/api/incidents/${ids[0]}`);
    expect((one.body.incident as { problemId: string }).problemId).toBe('PRB-1');
    const shown = await b.get('/api/problems/PRB-1');
    expect((shown.body.incidents as unknown[]).length).toBe(2);
    expect(((await b.get('/api/problems')).body.problems as ProblemJson[]).map((p) => p.id)).toEqual([
      'PRB-1',
    ]);
  });

  it('moves an incident between problems and unlinks it with null', async () => {
    await b.post('/api/problems', { title: 'A', incidentIds: [ids[0]] });
    await b.post('/api/problems', { title: 'B', incidentIds: [ids[1]] });
    const moved = await fetch(`${b.url}/api/incidents/${ids[0]}/problem`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ problemId: 'PRB-2' }),
    });
    expect(moved.status).toBe(200);
    await b.settle();
    const [p1, p2] = await Promise.all([b.get('/api/problems/PRB-1'), b.get('/api/problems/PRB-2')]);
    expect((p1.body.problem as ProblemJson).incidentIds).toEqual([]);
    expect([...(p2.body.problem as ProblemJson).incidentIds].sort()).toEqual([ids[0], ids[1]].sort());
    const unlinked = await fetch(`${b.url}/api/incidents/${ids[0]}/problem`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ problemId: null }),
    });
    expect(((await unlinked.json()) as { incident: { problemId: unknown } }).incident.problemId).toBeNull();
  });

  it('records the root cause and the fix version, which makes the problem fix-pending', async () => {
    await b.post('/api/problems', { title: 'A', incidentIds: ids });
    const patch = (body: unknown) =>
      fetch(`${b.url}/api/problems/PRB-1`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    let r = await patch({ rootCause: 'disk controller firmware' });
    expect(((await r.json()) as { problem: ProblemJson }).problem).toMatchObject({
      status: 'known_error',
      rootCause: 'disk controller firmware',
    });
    r = await patch({ fixVersion: '1.4.2' });
    expect(((await r.json()) as { problem: ProblemJson }).problem).toMatchObject({
      status: 'fix_pending',
      fixVersion: '1.4.2',
    });
  });

  it('answers bad requests with 400 naming the field and unknown ids with 404, changing nothing', async () => {
    const noTitle = await b.post('/api/problems', { incidentIds: ids });
    expect(noTitle.status).toBe(400);
    expect(JSON.stringify(noTitle.body.details)).toContain('title');
    const unknown = await b.post('/api/problems', { title: 'x', incidentIds: ['INC-999'] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.details)).toContain('incidentIds');
    const badStatus = await fetch(`${b.url}/api/problems/PRB-1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'solved' }),
    });
    expect(badStatus.status).toBe(400);
    expect((await b.get('/api/problems/PRB-1')).status).toBe(404);
    const link = await fetch(`${b.url}/api/incidents/${ids[0]}/problem`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ problemId: 'PRB-7' }),
    });
    expect(link.status).toBe(404);
    expect((await b.get('/api/problems')).body.problems).toEqual([]);
    const inc = await b.get(`/api/incidents/${ids[0]}`);
    expect((inc.body.incident as { problemId: unknown }).problemId).toBeNull();
  });

  it('releases a fix version through the API without Jira', async () => {
    await b.post('/api/problems', { title: 'A', incidentIds: ids });
    await fetch(`${b.url}/api/problems/PRB-1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fixVersion: '1.0.0' }),
    });
    const r = await b.post('/api/releases', { version: '1.0.0' });
    expect(r.body).toMatchObject({ problems: ['PRB-1'] });
    await b.settle();
    expect(((await b.get('/api/problems/PRB-1')).body.problem as ProblemJson).status).toBe('closed');
    // The incidents still fire: they stay open and are flagged for a person to look at.
    const incidents = (await b.get('/api/incidents')).body.incidents as {
      status: string;
      releaseFlag: string | null;
    }[];
    expect(incidents.every((i) => i.status === 'open' && i.releaseFlag === '1.0.0')).toBe(true);
  });
});
