import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, STORE_MODES, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';

/** One Alertmanager alert; the incident is named by `name` (the alertname). */
function am(name: string, severity: string, startsAt: string, endsAt?: string): Record<string, unknown> {
  const status = endsAt === undefined ? 'firing' : 'resolved';
  return {
    version: '4',
    groupKey: `{}:{alertname="${name}"}`,
    status,
    receiver: 'bridge',
    groupLabels: { alertname: name },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: [
      {
        status,
        labels: { alertname: name, service: 'shop', instance: 'web-1', severity },
        annotations: { summary: `${name} on web-1` },
        startsAt,
        endsAt: endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example:9090/graph',
      },
    ],
  };
}

/** One Zabbix problem (or its recovery); the incident is named by its service and scope tags. */
function zabbix(
  eventId: string,
  service: string,
  severity: number,
  eventTime: string,
  recoveryTime?: string,
) {
  const body = fixture('zabbix', recoveryTime === undefined ? 'problem' : 'recovery');
  return {
    ...body,
    event_id: eventId,
    trigger_id: `9${eventId}`,
    event_name: `${service} check failing`,
    trigger_name: `${service} check failing`,
    severity: { name: String(severity), number: severity },
    event_tags: [
      { tag: 'service', value: service },
      { tag: 'scope', value: 'availability' },
    ],
    event_time: eventTime,
    recovery_time: recoveryTime ?? null,
    recovery_event_id: recoveryTime === undefined ? null : `${eventId}1`,
    event_ack: false,
  };
}

const HOUR = 3600;

describe.each(STORE_MODES)('the service summary report (%s store)', (mode) => {
  let b: TestBridge;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-10-30T12:00:00Z'));
    b = await startTestBridge({ mode, clock, env: { SLA_CHECK_INTERVAL: '1h' } });
  });
  afterEach(async () => {
    await b.close();
  });

  /** Sets the clock, then does what a sender or a person did at that time. */
  const at = async (iso: string, act: () => Promise<unknown>): Promise<void> => {
    clock.set(iso);
    await act();
    await b.settle();
  };
  const alert = (body: unknown) => async () => {
    expect((await b.post('/webhooks/alertmanager', body)).status).toBe(202);
  };
  const problem = (body: unknown) => async () => {
    expect((await b.post('/webhooks/zabbix', body)).status).toBe(202);
  };
  const api =
    (path: string, body: unknown = {}) =>
    async () => {
      expect((await b.post(path, body)).status).toBe(200);
    };
  const slaCheck = (marks: number) => async () => {
    expect(await b.bridge.checkSla()).toBe(marks);
  };

  it('matches the figures worked out by hand for a scripted November', async () => {
    // G (warning, P4): opened in October, resolved in November.
    await at('2026-10-30T12:00:00Z', alert(am('G', 'warning', '2026-10-30T12:00:00Z')));
    await at(
      '2026-11-02T09:00:00Z',
      alert(am('G', 'warning', '2026-10-30T12:00:00Z', '2026-11-02T09:00:00Z')),
    );
    // A (critical, P1): acknowledged after 10 minutes, resolved after 2 hours, well in time.
    await at('2026-11-02T10:00:00Z', alert(am('A', 'critical', '2026-11-02T10:00:00Z')));
    await at('2026-11-02T10:10:00Z', api('/api/incidents/INC-2/ack', { by: 'alice' }));
    await at(
      '2026-11-02T12:00:00Z',
      alert(am('A', 'critical', '2026-11-02T10:00:00Z', '2026-11-02T12:00:00Z')),
    );
    // B (high, P2): Friday 17:30, due Monday 12:30 on business hours; breached, resolved at 14:00.
    await at('2026-11-06T17:30:00Z', alert(am('B', 'high', '2026-11-06T17:30:00Z')));
    await at('2026-11-09T09:00:00Z', api('/api/incidents/INC-3/ack'));
    await at('2026-11-09T13:00:00Z', slaCheck(1));
    await at('2026-11-09T14:00:00Z', alert(am('B', 'high', '2026-11-06T17:30:00Z', '2026-11-09T14:00:00Z')));
    // C (Zabbix disaster, P1): at night, never acknowledged, breached, recovered after 5 hours.
    await at('2026-11-10T22:00:00Z', problem(zabbix('701', 'payments', 5, '2026-11-10T22:00:00Z')));
    await at('2026-11-11T02:30:00Z', slaCheck(1));
    await at(
      '2026-11-11T03:00:00Z',
      problem(zabbix('701', 'payments', 5, '2026-11-10T22:00:00Z', '2026-11-11T03:00:00Z')),
    );
    // D (warning, P4): resolves, fires again within the reopen window, resolves for good.
    await at('2026-11-18T09:00:00Z', alert(am('D', 'warning', '2026-11-18T09:00:00Z')));
    await at(
      '2026-11-18T09:30:00Z',
      alert(am('D', 'warning', '2026-11-18T09:00:00Z', '2026-11-18T09:30:00Z')),
    );
    await at('2026-11-18T10:00:00Z', alert(am('D', 'warning', '2026-11-18T10:00:00Z')));
    await at(
      '2026-11-18T11:00:00Z',
      alert(am('D', 'warning', '2026-11-18T10:00:00Z', '2026-11-18T11:00:00Z')),
    );
    // E (Zabbix average, P3): acknowledged after 30 minutes, closed by a person the next day.
    await at('2026-11-23T08:00:00Z', problem(zabbix('702', 'database', 3, '2026-11-23T08:00:00Z')));
    await at('2026-11-23T08:30:00Z', api('/api/incidents/INC-6/ack'));
    await at('2026-11-24T10:00:00Z', api('/api/incidents/INC-6/close'));
    // F (critical, P1): opened on the last evening, still open; due, acknowledged and breached in December.
    await at('2026-11-30T22:00:00Z', alert(am('F', 'critical', '2026-11-30T22:00:00Z')));
    await at('2026-12-01T01:00:00Z', api('/api/incidents/INC-7/ack'));
    await at('2026-12-01T03:00:00Z', slaCheck(1));
    // H (critical, P1): December only.
    await at('2026-12-02T10:00:00Z', alert(am('H', 'critical', '2026-12-02T10:00:00Z')));

    clock.set('2026-12-03T00:00:00Z');
    const incidents = (await b.get('/api/incidents')).body.incidents as { title: string; priority: string }[];
    expect(incidents.map((i) => `${i.title.slice(0, 1)}:${i.priority}`).reverse()).toEqual([
      'G:P4',
      'A:P1',
      'B:P2',
      'p:P1',
      'D:P4',
      'd:P3',
      'F:P1',
      'H:P1',
    ]);

    const r = await b.get('/api/reports/summary?from=2026-11-01&to=2026-12-01');
    expect(r.status).toBe(200);
    const stats = (count: number, mean: number | null, p50: number | null, p90: number | null) => ({
      count,
      mean,
      p50,
      p90,
    });
    const none = stats(0, null, null, null);
    const figures = {
      opened: 0,
      resolved: 0,
      closed: 0,
      reopened: 0,
      overdue: 0,
      responseOverdue: 0,
      slaBreached: 0,
      openAtEnd: 0,
      timeToAcknowledgeSeconds: none,
      timeToResolveSeconds: none,
    };
    // Acknowledged in November: A 10 min, B Friday 17:30 to Monday 09:00 (63.5 h), E 30 min.
    // Resolved in November: G 69 h, A 2 h, B 68.5 h, C 5 h, D 2 h (from its opening to its last resolve).
    // Overdue: B (due Mon 12:30, resolved 14:00) and C (due 02:00, recovered 03:00). Response overdue:
    // C (never acknowledged, due 22:15) and F (due 22:15 on 30 November, acknowledged in December).
    expect(r.body).toEqual({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      total: {
        opened: 6,
        resolved: 5,
        closed: 1,
        reopened: 1,
        overdue: 2,
        responseOverdue: 2,
        slaBreached: 2,
        openAtEnd: 1,
        // 600, 1800, 228600: mean 77000, nearest-rank p50 the 2nd, p90 the 3rd.
        timeToAcknowledgeSeconds: stats(3, 77_000, 1800, 63.5 * HOUR),
        // 7200, 7200, 18000, 246600, 248400: mean 105480, p50 the 3rd, p90 the 5th.
        timeToResolveSeconds: stats(5, 105_480, 5 * HOUR, 69 * HOUR),
      },
      bySource: {
        alertmanager: {
          opened: 4,
          resolved: 4,
          closed: 0,
          reopened: 1,
          overdue: 1,
          responseOverdue: 1,
          slaBreached: 1,
          openAtEnd: 1,
          timeToAcknowledgeSeconds: stats(2, 114_600, 600, 63.5 * HOUR),
          timeToResolveSeconds: stats(4, 127_350, 2 * HOUR, 69 * HOUR),
        },
        zabbix: {
          ...figures,
          opened: 2,
          resolved: 1,
          closed: 1,
          overdue: 1,
          responseOverdue: 1,
          slaBreached: 1,
          timeToAcknowledgeSeconds: stats(1, 1800, 1800, 1800),
          timeToResolveSeconds: stats(1, 5 * HOUR, 5 * HOUR, 5 * HOUR),
        },
      },
      byPriority: {
        P1: {
          ...figures,
          opened: 3,
          resolved: 2,
          overdue: 1,
          responseOverdue: 2,
          slaBreached: 1,
          openAtEnd: 1,
          timeToAcknowledgeSeconds: stats(1, 600, 600, 600),
          timeToResolveSeconds: stats(2, 3.5 * HOUR, 2 * HOUR, 5 * HOUR),
        },
        P2: {
          ...figures,
          opened: 1,
          resolved: 1,
          overdue: 1,
          slaBreached: 1,
          timeToAcknowledgeSeconds: stats(1, 63.5 * HOUR, 63.5 * HOUR, 63.5 * HOUR),
          timeToResolveSeconds: stats(1, 68.5 * HOUR, 68.5 * HOUR, 68.5 * HOUR),
        },
        P3: { ...figures, opened: 1, closed: 1, timeToAcknowledgeSeconds: stats(1, 1800, 1800, 1800) },
        P4: {
          ...figures,
          opened: 1,
          resolved: 2,
          reopened: 1,
          timeToResolveSeconds: stats(2, 35.5 * HOUR, 2 * HOUR, 69 * HOUR),
        },
        none: figures,
      },
    });

    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toContain('incident_bridge_incidents_opened_total{source="zabbix",priority="P1"} 1');
    expect(metrics).toContain(
      'incident_bridge_incidents_reopened_total{source="alertmanager",priority="P4"} 1',
    );
    expect(metrics).toContain('incident_bridge_sla_breaches_total{priority="P1"} 2');
    expect(metrics).toContain('incident_bridge_open_incidents{priority="P1"} 2');
    expect(metrics).toContain(
      'incident_bridge_time_to_acknowledge_seconds_bucket{le="900",source="alertmanager",priority="P1"} 1',
    );
  });

  it('answers 400 for a period that ends before it starts, or a date it cannot read', async () => {
    expect((await b.get('/api/reports/summary?from=2026-12-01&to=2026-11-01')).status).toBe(400);
    const bad = await b.get('/api/reports/summary?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid-request');
  });
});
