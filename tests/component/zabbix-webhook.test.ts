import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_MODES, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';

interface IncidentJson {
  id: string;
  status: string;
  severity: string;
  acknowledgedBy: string | null;
  repeats: number;
  sources: string[];
  labels: Record<string, string>;
  alerts: {
    id: string;
    status: string;
    startsAt: string;
    endsAt: string | null;
    url: string | null;
    severity: string;
    labels: Record<string, string>;
  }[];
}

describe.each(STORE_MODES)('Zabbix webhook (%s store)', (mode) => {
  let b: TestBridge;
  beforeEach(async () => {
    b = await startTestBridge({ mode });
  });
  afterEach(async () => {
    await b.close();
  });

  const send = async (payload: unknown) => {
    const r = await b.post('/webhooks/zabbix', payload);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toEqual({ accepted: 1 });
    await b.settle();
  };
  const incidents = async (): Promise<IncidentJson[]> =>
    (await b.get('/api/incidents')).body.incidents as IncidentJson[];

  it('follows a problem, its acknowledgement and its recovery on one event id', async () => {
    await send(fixture('zabbix', 'problem'));
    let [inc] = await incidents();
    expect(inc).toMatchObject({ status: 'open', severity: 'high', sources: ['zabbix'] });
    expect(inc?.alerts).toHaveLength(1);
    expect(inc?.alerts[0]).toMatchObject({
      id: 'zabbix:57',
      status: 'firing',
      startsAt: '2026-11-22T20:03:17.000Z',
      endsAt: null,
      url: 'http://127.0.0.1:18080/tr_events.php?triggerid=23133&eventid=57',
    });
    expect(inc?.labels).toMatchObject({
      service: 'rig-service-1',
      component: 'api',
      env: 'rig',
      host: 'rig-host-1',
      trigger_id: '23133',
      trigger_name: 'Rig check 1 failing on Rig Host 1',
    });

    await send(fixture('zabbix', 'update-ack'));
    [inc] = await incidents();
    expect(inc?.status).toBe('acknowledged');
    expect(inc?.acknowledgedBy).toBe('Zabbix Administrator (Admin)');

    await send(fixture('zabbix', 'recovery'));
    const all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0]?.status).toBe('resolved');
    expect(all[0]?.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2026-11-22T20:03:26.000Z' });
  });

  it('resolves on a manual close and treats the recovery that follows as a repeat', async () => {
    const problem = { ...fixture('zabbix', 'update-severity'), event_update_status: 0, update: null };
    await send({ ...problem, severity: { name: 'High', number: 4 } });
    await send(fixture('zabbix', 'update-severity'));
    let [inc] = await incidents();
    expect(inc?.severity).toBe('critical');
    await send(fixture('zabbix', 'update-close'));
    [inc] = await incidents();
    expect(inc?.status).toBe('resolved');
    expect(inc?.alerts[0]?.endsAt).toBe('2026-11-22T20:03:40.000Z');
    await send(fixture('zabbix', 'recovery-after-close'));
    const all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0]?.status).toBe('resolved');
    expect(all[0]?.repeats).toBe(1);
  });

  it('treats Zabbix retries of one notification as one', async () => {
    for (let i = 0; i < 3; i++) await send(fixture('zabbix', 'problem'));
    const all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0]?.repeats).toBe(2);
  });

  it('accepts what a hand-written script sends: strings, unresolved macros, tags as JSON text', async () => {
    const p = fixture<Record<string, unknown>>('zabbix', 'problem');
    await send({
      ...p,
      event_id: '901',
      event_value: '1',
      event_update_status: '{EVENT.UPDATE.STATUS}',
      recovery_event_id: '{EVENT.RECOVERY.ID}',
      recovery_time: '*UNKNOWN*',
      severity: '5',
      event_tags: JSON.stringify([
        { tag: 'service', value: 'billing' },
        { tag: 'scope', value: 'latency' },
      ]),
      event_ack: 'No',
      update: '{EVENT.UPDATE.ACTION}',
      event_time: '2026.11.22 20:10:00',
    });
    const [inc] = await incidents();
    expect(inc?.alerts[0]).toMatchObject({
      id: 'zabbix:901',
      status: 'firing',
      severity: 'critical',
      startsAt: '2026-11-22T20:10:00.000Z',
    });
    expect(inc?.labels).toMatchObject({ service: 'billing', scope: 'latency' });
    expect(inc?.status).toBe('open');
  });

  it('groups problems of one service on several hosts into one incident by the shipped rules', async () => {
    const p = fixture<Record<string, unknown>>('zabbix', 'problem');
    await send(p);
    await send({
      ...p,
      event_id: '77',
      host: 'rig-host-9',
      trigger_id: '23999',
      trigger_name: 'Rig check 1 failing on Rig Host 9',
    });
    const all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0]?.alerts.map((a) => a.labels.host).sort()).toEqual(['rig-host-1', 'rig-host-9']);
  });
});
