import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_MODES, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';

interface AmAlert {
  status: string;
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint?: string;
}
interface AmPayload {
  status: string;
  alerts: AmAlert[];
}
interface IncidentJson {
  id: string;
  key: string;
  status: string;
  flapping: boolean;
  repeats: number;
  reopenCount: number;
  lastSeenAt: string;
  sla?: { remainingMs?: number; [field: string]: unknown };
  sources: string[];
  labels: Record<string, string>;
  alerts: {
    id: string;
    status: string;
    startsAt: string;
    endsAt: string | null;
    labels: Record<string, string>;
  }[];
}

const minutes = (iso: string, m: number): string => new Date(Date.parse(iso) + m * 60_000).toISOString();

describe.each(STORE_MODES)('Alertmanager webhook (%s store)', (mode) => {
  let b: TestBridge;
  beforeEach(async () => {
    b = await startTestBridge({ mode });
  });
  afterEach(async () => {
    await b.close();
  });

  const send = async (payload: unknown) => {
    const r = await b.post('/webhooks/alertmanager', payload);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    await b.settle();
    return r;
  };
  const incidents = async (query = ''): Promise<IncidentJson[]> =>
    (await b.get(`/api/incidents${query}`)).body.incidents as IncidentJson[];

  it('accepts every captured Alertmanager payload and counts its alerts', async () => {
    const names = [
      '01-firing-single',
      '02-firing-repeat',
      '03-resolved-single',
      '04-firing-group-3',
      '05-group-partially-resolved',
      '06-group-resolved',
      '07-firing-critical',
      '08-pushed-single',
      '09-pushed-resolved',
      '10-pushed-group-25-of-500',
      '11-firing-bearer-auth',
      '12-truncated-max-alerts',
    ];
    for (const name of names) {
      const payload = fixture<AmPayload>('alertmanager', name);
      const r = await send(payload);
      expect(r.body).toEqual({ accepted: payload.alerts.length });
    }
    const all = await incidents('?limit=1000');
    const truncated = all.find((i) => i.labels.alertname === 'RigTruncated');
    expect(truncated?.alerts).toHaveLength(10);
    const pushed = all.find((i) => i.alerts.length === 25);
    expect(pushed?.status).toBe('open');
  });

  it('opens one incident with three alerts for a group of three', async () => {
    await send(fixture('alertmanager', '04-firing-group-3'));
    const [only, ...rest] = await incidents();
    expect(rest).toHaveLength(0);
    expect(only?.id).toMatch(/^INC-\d+$/);
    expect(only?.key).toBe('{alertname="RigValueHigh",service="storage"}');
    expect(only?.alerts.map((a) => a.id).sort()).toEqual(
      ['am:769c70f0e5bcbda2', 'am:bdaa20388535bc16', 'am:ff721dd4c6c92b74'].sort(),
    );
    expect(only?.labels).toEqual({
      alertname: 'RigValueHigh',
      instance: '127.0.0.1:46865',
      job: 'rig',
      service: 'storage',
      severity: 'warning',
    });
    expect(only?.sources).toEqual(['alertmanager']);
  });

  it('keeps the same state when the same notification is re-sent five times', async () => {
    await send(fixture('alertmanager', '04-firing-group-3'));
    // The SLA's remaining time is worked out when it is read, against the wall clock: in business hours it
    // shrinks between the two reads, so it is compared apart from the state.
    const first = (await incidents())[0] as IncidentJson;
    const { lastSeenAt: _l, repeats: firstRepeats, sla: firstSla, ...before } = first;
    const { remainingMs: firstRemaining, ...firstSlaRest } = firstSla ?? {};
    for (let i = 0; i < 5; i++) await send(fixture('alertmanager', '04-firing-group-3'));
    const all = await incidents();
    expect(all).toHaveLength(1);
    const { lastSeenAt: _l2, repeats, sla, ...after } = all[0] as IncidentJson;
    const { remainingMs, ...slaRest } = sla ?? {};
    expect(after).toEqual(before);
    expect(slaRest).toEqual(firstSlaRest);
    expect(firstRemaining).toBeTypeOf('number');
    expect(remainingMs).toBeLessThanOrEqual(firstRemaining as number);
    expect(remainingMs).toBeGreaterThan((firstRemaining as number) - 60_000);
    expect(firstRepeats).toBe(0);
    expect(repeats).toBe(15);
  });

  it('resolves alert by alert, and the incident with the last one', async () => {
    await send(fixture('alertmanager', '04-firing-group-3'));
    await send(fixture('alertmanager', '05-group-partially-resolved'));
    let [inc] = await incidents();
    expect(inc?.status).toBe('open');
    expect(inc?.alerts.filter((a) => a.status === 'resolved').map((a) => a.labels.name)).toEqual(['mem']);
    await send(fixture('alertmanager', '06-group-resolved'));
    [inc] = await incidents();
    expect(inc?.status).toBe('resolved');
    expect(inc?.alerts.every((a) => a.status === 'resolved')).toBe(true);
    const got = await b.get(`/api/incidents/${inc?.id}`);
    expect((got.body.incident as IncidentJson).status).toBe('resolved');
  });

  it('reopens on a re-fire inside the reopen window and opens a new incident outside it', async () => {
    const firing = fixture<AmPayload>('alertmanager', '01-firing-single');
    const resolved = fixture<AmPayload>('alertmanager', '03-resolved-single');
    await send(firing);
    await send(resolved);
    const resolvedAt = resolved.alerts[0]?.endsAt ?? '';

    const inside = fixture<AmPayload>('alertmanager', '01-firing-single');
    (inside.alerts[0] as AmAlert).startsAt = minutes(resolvedAt, 20);
    await send(inside);
    let all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'open', reopenCount: 1 });

    const resolvedAgain = fixture<AmPayload>('alertmanager', '03-resolved-single');
    (resolvedAgain.alerts[0] as AmAlert).startsAt = minutes(resolvedAt, 20);
    (resolvedAgain.alerts[0] as AmAlert).endsAt = minutes(resolvedAt, 25);
    await send(resolvedAgain);
    const outside = fixture<AmPayload>('alertmanager', '01-firing-single');
    (outside.alerts[0] as AmAlert).startsAt = minutes(resolvedAt, 25 + 61);
    await send(outside);
    all = await incidents();
    expect(all.map((i) => i.status)).toEqual(['open', 'resolved']);
    expect(all[0]?.id).not.toBe(all[1]?.id);
  });

  it('marks an incident flapping after five resolve and re-fire cycles within an hour', async () => {
    const base = fixture<AmPayload>('alertmanager', '01-firing-single');
    const start = base.alerts[0]?.startsAt ?? '';
    await send(base);
    for (let i = 1; i <= 5; i++) {
      const res = fixture<AmPayload>('alertmanager', '03-resolved-single');
      (res.alerts[0] as AmAlert).startsAt = minutes(start, (i - 1) * 5);
      (res.alerts[0] as AmAlert).endsAt = minutes(start, i * 5 - 2);
      await send(res);
      const fire = fixture<AmPayload>('alertmanager', '01-firing-single');
      (fire.alerts[0] as AmAlert).startsAt = minutes(start, i * 5);
      await send(fire);
    }
    const all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0]?.flapping).toBe(true);
    const metrics = await fetch(`${b.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/incident_bridge_decisions_total\{reason="flapping"\} 1/);
  });

  it('computes the fingerprint when a hand-made payload has none', async () => {
    const payload = fixture<AmPayload>('alertmanager', '01-firing-single');
    delete (payload.alerts[0] as AmAlert).fingerprint;
    await send(payload);
    const [inc] = await incidents();
    expect(inc?.alerts[0]?.id).toBe('am:2091e9fd2a63291e');
    expect(inc?.alerts[0]?.endsAt).toBeNull();
  });

  it('filters the list by status and source and honours the limit', async () => {
    await send(fixture('alertmanager', '01-firing-single'));
    await send(fixture('alertmanager', '03-resolved-single'));
    await send(fixture('alertmanager', '04-firing-group-3'));
    expect((await incidents('?status=resolved')).map((i) => i.labels.service)).toEqual(['checkout']);
    expect((await incidents('?status=open')).map((i) => i.labels.service)).toEqual(['storage']);
    expect(await incidents('?source=zabbix')).toEqual([]);
    expect(await incidents('?limit=1')).toHaveLength(1);
    const bad = await b.get('/api/incidents?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('status');
  });
});
