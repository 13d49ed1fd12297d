import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_MODES, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';

const TOKEN = 's3cr3t-token';

describe.each(STORE_MODES)('webhook rejections (%s store)', (mode) => {
  let b: TestBridge;
  beforeEach(async () => {
    b = await startTestBridge({
      mode,
      env: { WEBHOOK_TOKEN: TOKEN, API_TOKEN: 'api-token', MAX_BODY_BYTES: '4kb' },
    });
  });
  afterEach(async () => {
    await b.close();
  });

  const api = { authorization: 'Bearer api-token' };
  const nothingChanged = async () => {
    await b.settle();
    const list = await b.get('/api/incidents', api);
    expect(list.status).toBe(200);
    expect(list.body.incidents).toEqual([]);
    const metrics = await fetch(`${b.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('incident_bridge_alerts_received_total{source="alertmanager"} 0');
    expect(metrics).toContain('incident_bridge_alerts_received_total{source="zabbix"} 0');
  };

  it('answers 401 without the token, with a wrong one, and in another scheme', async () => {
    const body = fixture('alertmanager', '11-firing-bearer-auth');
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Token ${TOKEN}` },
      { authorization: `Basic ${Buffer.from('user:wrong').toString('base64')}` },
    ];
    for (const headers of attempts) {
      const r = await b.post('/webhooks/alertmanager', body, headers);
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('unauthorized');
    }
    expect((await b.post('/webhooks/zabbix', fixture('zabbix', 'problem'))).status).toBe(401);
    await nothingChanged();
  });

  it('takes the token as a bearer token or as a basic-auth password', async () => {
    const bearer = await b.post('/webhooks/alertmanager', fixture('alertmanager', '11-firing-bearer-auth'), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(bearer.status).toBe(202);
    const basic = await b.post('/webhooks/zabbix', fixture('zabbix', 'problem'), {
      authorization: `Basic ${Buffer.from(`zabbix:${TOKEN}`).toString('base64')}`,
    });
    expect(basic.status).toBe(202);
    await b.settle();
    expect((await b.get('/api/incidents', api)).body.incidents).toHaveLength(2);
  });

  it('guards the API with its own token', async () => {
    expect((await b.get('/api/incidents')).status).toBe(401);
    expect((await b.get('/api/incidents', { authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    expect((await b.get('/api/incidents', api)).status).toBe(200);
  });

  it('names the bad fields of a malformed body with 400', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const am = fixture<{ alerts: Record<string, unknown>[] }>('alertmanager', '04-firing-group-3');
    (am.alerts[1] as Record<string, unknown>).startsAt = 'yesterday';
    (am.alerts[2] as Record<string, unknown>).status = 'burning';
    const r = await b.post('/webhooks/alertmanager', am, auth);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid-request');
    const paths = (r.body.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['alerts.1.startsAt', 'alerts.2.status']));
    expect(String(r.body.message)).toContain('alerts.1.startsAt');

    const z = {
      ...fixture<Record<string, unknown>>('zabbix', 'problem'),
      event_value: 7,
      event_id: undefined,
    };
    const rz = await b.post('/webhooks/zabbix', z, auth);
    expect(rz.status).toBe(400);
    expect((rz.body.details as { path: string }[]).map((d) => d.path)).toEqual(
      expect.arrayContaining(['event_id', 'event_value']),
    );
    const wrongVersion = await b.post(
      '/webhooks/alertmanager',
      { ...fixture<Record<string, unknown>>('alertmanager', '01-firing-single'), version: '3' },
      auth,
    );
    expect(wrongVersion.status).toBe(400);
    expect(String(wrongVersion.body.message)).toContain('version');
    await nothingChanged();
  });

  it('answers 415 to a body that is not JSON and 400 to broken JSON', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const text = await fetch(`${b.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: string }).error).toBe('unsupported-media-type');
    const broken = await b.post('/webhooks/zabbix', '{"event_id": "57",', auth);
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('invalid-json');
    await nothingChanged();
  });

  it('answers 413 to a body over MAX_BODY_BYTES', async () => {
    const big = fixture('alertmanager', '10-pushed-group-25-of-500');
    const r = await b.post('/webhooks/alertmanager', big, { authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(413);
    expect(r.body.error).toBe('payload-too-large');
    await nothingChanged();
  });
});
