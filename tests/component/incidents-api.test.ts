import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_MODES, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';

describe.each(STORE_MODES)('incidents API (%s store)', (mode) => {
  let b: TestBridge;
  beforeEach(async () => {
    b = await startTestBridge({ mode });
    expect(
      (await b.post('/webhooks/alertmanager', fixture('alertmanager', '07-firing-critical'))).status,
    ).toBe(202);
    await b.settle();
  });
  afterEach(async () => {
    await b.close();
  });

  const firstId = async (): Promise<string> =>
    ((await b.get('/api/incidents')).body.incidents as { id: string }[])[0]?.id ?? '';

  it('acknowledges an open incident once and says who did', async () => {
    const id = await firstId();
    const r = await b.post(`/api/incidents/${id}/ack`, { by: 'ada' });
    expect(r.status).toBe(200);
    expect(r.body.incident).toMatchObject({ id, status: 'acknowledged', acknowledgedBy: 'ada' });
    const again = await b.post(`/api/incidents/${id}/ack`, {});
    expect(again.status).toBe(200);
    expect(again.body.incident).toMatchObject({ acknowledgedBy: 'ada' });
  });

  it('answers 404 for an unknown incident and 409 for acknowledging a closed one', async () => {
    expect((await b.get('/api/incidents/INC-999')).status).toBe(404);
    expect((await b.post('/api/incidents/INC-999/ack', {})).status).toBe(404);
    const id = await firstId();
    expect((await b.post(`/api/incidents/${id}/close`, {})).body.incident).toMatchObject({
      status: 'closed',
    });
    const r = await b.post(`/api/incidents/${id}/ack`, {});
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('conflict');
  });

  it('rejects an unknown field in an action body', async () => {
    const id = await firstId();
    const r = await b.post(`/api/incidents/${id}/ack`, { who: 'ada' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.details)).toContain('who');
    expect(((await b.get(`/api/incidents/${id}`)).body.incident as { status: string }).status).toBe('open');
  });

  it('stops counting an incident as open by priority once it is closed', async () => {
    const id = await firstId();
    await b.post(`/api/incidents/${id}/close`, {});
    const metrics = await fetch(`${b.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('incident_bridge_open_incidents{priority="P1"} 0');
  });

  it('serves health, readiness and metrics', async () => {
    expect((await b.get('/healthz')).status).toBe(200);
    expect((await b.get('/readyz')).body).toEqual({ status: 'ready' });
    const metrics = await fetch(`${b.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('incident_bridge_incidents{status="open"} 1');
    expect(metrics).toContain('incident_bridge_open_incidents{priority="P1"} 1');
    expect(metrics).toContain('incident_bridge_open_incidents{priority="P2"} 0');
    expect(metrics).toMatch(
      /incident_bridge_webhook_request_duration_seconds_count\{source="alertmanager",code="202"\} 1/,
    );
    expect(metrics).toContain('process_resident_memory_bytes');
  });
});
