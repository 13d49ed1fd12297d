import { describe, expect, it } from 'vitest';
import { planCatchUp, type SenderView } from '../../src/domain/catch-up-plan.js';
import type { AlertEvent, AlertState } from '../../src/domain/model.js';

const firing = (id: string, startsAt = '2026-11-22T20:00:00.000Z'): AlertEvent => ({
  id,
  source: 'zabbix',
  status: 'firing',
  labels: { alertname: id },
  annotations: {},
  startsAt,
  endsAt: null,
  url: null,
  title: id,
  severity: 'high',
});

const held = (
  id: string,
  status: 'firing' | 'resolved' = 'firing',
  endsAt: string | null = null,
): AlertState => ({
  ...firing(id),
  status,
  endsAt,
});

const known = (...alerts: AlertState[]) => new Map(alerts.map((a) => [a.id, a]));
const view = (v: Partial<SenderView>): SenderView => ({ firing: [], ended: [], ...v });
const plan = (k: Map<string, AlertState>, v: Partial<SenderView>) =>
  planCatchUp('zabbix', k, view(v)).map(
    (i) => `${i.kind} ${i.event.id} ${i.event.status} ${i.event.endsAt ?? ''}`,
  );

describe('catch-up plan', () => {
  it.each([
    {
      name: 'opens a firing alert the bridge never saw',
      known: known(),
      view: { firing: [firing('a')] },
      expected: ['missed-firing a firing '],
    },
    {
      name: 'leaves a firing alert the bridge holds alone',
      known: known(held('a')),
      view: { firing: [firing('a')] },
      expected: [],
    },
    {
      name: 'tells a newer firing of an alert the bridge holds as resolved (it fired again unseen)',
      known: known(held('a', 'resolved', '2026-11-22T20:05:00.000Z')),
      view: { firing: [firing('a', '2026-11-22T20:10:00.000Z')] },
      expected: ['missed-firing a firing '],
    },
    {
      name: 'leaves an older firing of an alert the bridge holds as resolved alone',
      known: known(held('a', 'resolved', '2026-11-22T20:05:00.000Z')),
      view: { firing: [firing('a')] },
      expected: [],
    },
    {
      name: 'resolves a firing alert the sender says recovered, at the recovery time',
      known: known(held('a')),
      view: { ended: [{ id: 'a', endsAt: '2026-11-22T20:30:00.000Z' }] },
      expected: ['missed-resolve a resolved 2026-11-22T20:30:00.000Z'],
    },
    {
      name: 'tells the whole story of an alert that fired and recovered unseen',
      known: known(),
      view: {
        ended: [
          {
            id: 'a',
            endsAt: '2026-11-22T20:30:00.000Z',
            story: [
              firing('a'),
              { ...firing('a'), status: 'resolved' as const, endsAt: '2026-11-22T20:30:00.000Z' },
            ],
          },
        ],
      },
      expected: ['missed-firing a firing ', 'missed-resolve a resolved 2026-11-22T20:30:00.000Z'],
    },
    {
      name: 'says nothing of a recovery the bridge already has',
      known: known(held('a', 'resolved', '2026-11-22T20:30:00.000Z')),
      view: { ended: [{ id: 'a', endsAt: '2026-11-22T20:30:00.000Z' }] },
      expected: [],
    },
    {
      name: 'resolves a firing alert absent from the sender, at the time it was asked',
      known: known(held('a'), held('b')),
      view: { firing: [firing('b')], absent: { present: new Set(['b']), at: '2026-11-22T21:00:00.000Z' } },
      expected: ['missed-resolve a resolved 2026-11-22T21:00:00.000Z'],
    },
    {
      name: 'keeps an alert present at the sender but not firing there (silenced) open',
      known: known(held('a')),
      view: { absent: { present: new Set(['a']), at: '2026-11-22T21:00:00.000Z' } },
      expected: [],
    },
    {
      name: 'does not judge an alert that started after the sender was asked',
      known: known(held('a')),
      view: { absent: { present: new Set<string>(), at: '2026-11-22T19:59:00.000Z' } },
      expected: [],
    },
    {
      name: 'resolves nothing by absence when no answer can prove it',
      known: known(held('a')),
      view: {},
      expected: [],
    },
  ])('$name', ({ known: k, view: v, expected }) => {
    expect(plan(k, v)).toEqual(expected);
  });

  it('keeps the resolve of a held alert on its labels and start, so it lands on its incident', () => {
    const a = {
      ...held('a'),
      labels: { alertname: 'x', service: 'db' },
      startsAt: '2026-11-22T19:00:00.000Z',
    };
    const [item] = planCatchUp(
      'zabbix',
      known(a),
      view({ ended: [{ id: 'a', endsAt: '2026-11-22T20:00:00.000Z' }] }),
    );
    expect(item?.event).toMatchObject({ labels: a.labels, startsAt: a.startsAt, status: 'resolved' });
  });
});
