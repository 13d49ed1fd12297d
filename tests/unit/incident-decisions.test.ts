import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/domain/grouping.js';
import { type BatchContext, decideAlerts } from '../../src/domain/incident-decisions.js';
import type { AlertEvent, Incident } from '../../src/domain/model.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

function alert(id: string, status: 'firing' | 'resolved', startMin: number, endMin?: number): AlertEvent {
  return {
    id,
    source: 'alertmanager',
    status,
    labels: { alertname: 'DiskFull', service: 'storage', instance: id },
    annotations: {},
    startsAt: at(startMin),
    endsAt: status === 'resolved' ? at(endMin ?? startMin + 1) : null,
    url: null,
    title: 'Disk full',
    severity: 'warning',
  };
}

const ctx = (nowMin: number, newIncidentId?: string): BatchContext => ({
  now: at(nowMin),
  key: '{alertname="DiskFull",service="storage"}',
  policy: DEFAULT_POLICY,
  newIncidentId,
});

/** Runs a sequence of deliveries through the decisions, allocating ids as a store would. */
function run(deliveries: { now: number; events: AlertEvent[] }[]) {
  let current: Incident | null = null;
  let next = 1;
  const incidents = new Map<string, Incident>();
  const reasons: string[][] = [];
  const effects: string[][] = [];
  for (const d of deliveries) {
    let out = decideAlerts(current, d.events, ctx(d.now));
    if (out.kind === 'needs-id') out = decideAlerts(current, d.events, ctx(d.now, `INC-${next++}`));
    if (out.kind !== 'decided') throw new Error('asked twice for an id');
    reasons.push(out.decisions.map((x) => x.reason));
    effects.push(out.effects.map((e) => e.type));
    if (out.incident) {
      current = out.incident;
      incidents.set(out.incident.id, out.incident);
    }
  }
  return { current, incidents, reasons, effects };
}

describe('incident decisions', () => {
  it('opens one incident for three alerts of one group', () => {
    const r = run([
      { now: 0, events: [alert('a', 'firing', 0), alert('b', 'firing', 0), alert('c', 'firing', 0)] },
    ]);
    expect(r.reasons).toEqual([['new-incident', 'new-alert', 'new-alert']]);
    expect(r.effects).toEqual([['incident-opened']]);
    expect(r.current?.alerts.map((a) => a.id)).toEqual(['a', 'b', 'c']);
    expect(r.current?.status).toBe('open');
  });

  it('treats a repeated notification as a duplicate that only moves lastSeenAt and the repeat count', () => {
    const first = run([{ now: 0, events: [alert('a', 'firing', 0)] }]);
    const repeated = run([
      { now: 0, events: [alert('a', 'firing', 0)] },
      ...Array.from({ length: 5 }, (_, i) => ({ now: i + 1, events: [alert('a', 'firing', 0)] })),
    ]);
    expect(repeated.reasons.slice(1).flat()).toEqual(Array(5).fill('duplicate'));
    expect(repeated.effects.slice(1).flat()).toEqual([]);
    const { lastSeenAt, repeats, ...rest } = repeated.current as Incident;
    const { lastSeenAt: firstSeen, repeats: firstRepeats, ...firstRest } = first.current as Incident;
    expect(rest).toEqual(firstRest);
    expect(repeats).toBe(5);
    expect(lastSeenAt).toBe(at(5));
    expect(firstRepeats).toBe(0);
    expect(firstSeen).toBe(at(0));
  });

  it('resolves the incident only when its last alert resolves', () => {
    const r = run([
      { now: 0, events: [alert('a', 'firing', 0), alert('b', 'firing', 0)] },
      { now: 5, events: [alert('a', 'resolved', 0, 4), alert('b', 'firing', 0)] },
      { now: 9, events: [alert('b', 'resolved', 0, 8)] },
    ]);
    expect(r.reasons).toEqual([
      ['new-incident', 'new-alert'],
      ['alert-resolved', 'duplicate'],
      ['incident-resolved'],
    ]);
    expect(r.current?.status).toBe('resolved');
    expect(r.current?.resolvedAt).toBe(at(8));
    expect(r.effects[2]).toEqual(['incident-resolved']);
  });

  it('reopens a resolved incident when an alert fires again inside the reopen window', () => {
    const r = run([
      { now: 0, events: [alert('a', 'firing', 0)] },
      { now: 10, events: [alert('a', 'resolved', 0, 10)] },
      { now: 40, events: [alert('a', 'firing', 40)] },
    ]);
    expect(r.reasons[2]).toEqual(['reopened']);
    expect(r.current?.id).toBe('INC-1');
    expect(r.current?.status).toBe('open');
    expect(r.current?.reopenCount).toBe(1);
    expect(r.current?.resolvedAt).toBeNull();
  });

  it('opens a new incident when the alert fires again after the reopen window', () => {
    const r = run([
      { now: 0, events: [alert('a', 'firing', 0)] },
      { now: 10, events: [alert('a', 'resolved', 0, 10)] },
      { now: 200, events: [alert('a', 'firing', 200)] },
    ]);
    expect(r.reasons[2]).toEqual(['new-incident']);
    expect(r.current?.id).toBe('INC-2');
    expect(r.incidents.get('INC-1')?.status).toBe('resolved');
  });

  it('marks the incident flapping after more than four resolve and re-fire cycles within an hour', () => {
    const deliveries: { now: number; events: AlertEvent[] }[] = [
      { now: 0, events: [alert('a', 'firing', 0)] },
    ];
    for (let i = 1; i <= 5; i++) {
      deliveries.push({ now: i * 10 - 5, events: [alert('a', 'resolved', (i - 1) * 10, i * 10 - 5)] });
      deliveries.push({ now: i * 10, events: [alert('a', 'firing', i * 10)] });
    }
    const r = run(deliveries);
    const refireReasons = r.reasons.filter((_, i) => i > 0 && i % 2 === 0).flat();
    expect(refireReasons).toEqual(['reopened', 'reopened', 'reopened', 'reopened', 'flapping']);
    expect(r.current?.flapping).toBe(true);
    expect(r.effects.at(-1)).toContain('flapping-started');
    expect(r.current?.id).toBe('INC-1');
  });

  it('is not flapping at four cycles', () => {
    const deliveries: { now: number; events: AlertEvent[] }[] = [
      { now: 0, events: [alert('a', 'firing', 0)] },
    ];
    for (let i = 1; i <= 4; i++) {
      deliveries.push({ now: i * 10 - 5, events: [alert('a', 'resolved', (i - 1) * 10, i * 10 - 5)] });
      deliveries.push({ now: i * 10, events: [alert('a', 'firing', i * 10)] });
    }
    expect(run(deliveries).current?.flapping).toBe(false);
  });

  it('ignores an older message that arrives after a newer one', () => {
    const r = run([
      { now: 0, events: [alert('a', 'firing', 0), alert('b', 'firing', 0)] },
      { now: 6, events: [alert('b', 'resolved', 0, 5)] },
      { now: 8, events: [alert('b', 'firing', 8)] },
      { now: 10, events: [alert('a', 'resolved', 0, 9)] },
      // The firing notification that was overtaken by the resolve arrives late.
      { now: 11, events: [alert('a', 'firing', 0)] },
      // b's first resolve, delivered again after b fired anew.
      { now: 12, events: [alert('b', 'resolved', 0, 5)] },
    ]);
    expect(r.reasons.slice(4)).toEqual([['stale'], ['stale']]);
    const a = r.current?.alerts.find((x) => x.id === 'a');
    expect(a?.status).toBe('resolved');
    expect(r.current?.alerts.find((x) => x.id === 'b')?.status).toBe('firing');
    expect(r.current?.lastSeenAt).toBe(at(10));
  });

  it('ignores a resolve for an alert it never saw', () => {
    const r = run([{ now: 0, events: [alert('z', 'resolved', 0, 1)] }]);
    expect(r.reasons).toEqual([['unknown-resolved']]);
    expect(r.current).toBeNull();
  });

  it('acknowledges the incident when the source says a person acknowledged the alert', () => {
    const ack = { ...alert('a', 'firing', 0), ack: { by: 'Ada', message: 'on it', at: at(3) } };
    const r = run([
      { now: 0, events: [alert('a', 'firing', 0)] },
      { now: 3, events: [ack] },
      { now: 4, events: [ack] },
    ]);
    expect(r.reasons).toEqual([['new-incident'], ['acknowledged'], ['duplicate']]);
    expect(r.current?.status).toBe('acknowledged');
    expect(r.current?.acknowledgedBy).toBe('Ada');
  });

  it('keeps the highest severity of the firing alerts', () => {
    const critical = { ...alert('b', 'firing', 0), severity: 'critical' as const };
    const r = run([{ now: 0, events: [alert('a', 'firing', 0), critical] }]);
    expect(r.current?.severity).toBe('critical');
    const after = run([
      { now: 0, events: [alert('a', 'firing', 0), critical] },
      { now: 2, events: [{ ...critical, status: 'resolved', endsAt: at(1) }] },
    ]);
    expect(after.current?.severity).toBe('warning');
  });

  it('lists alerts joining an open incident as one piece of news', () => {
    const r = run([
      { now: 0, events: [alert('a', 'firing', 0)] },
      { now: 1, events: [alert('b', 'firing', 1), alert('c', 'firing', 1)] },
    ]);
    expect(r.reasons[1]).toEqual(['new-alert', 'new-alert']);
    expect(r.effects[1]).toEqual(['alerts-joined']);
  });
});
