import { describe, expect, it } from 'vitest';
import { jsonPieces } from '../../src/adapters/store/json-pieces.js';

const joined = (value: unknown, depth: number): string => [...jsonPieces(value, depth)].join('');

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const SAMPLES: unknown[] = [
  null,
  0,
  -1.5e-7,
  'a "quoted" line\nwith \\ and \u2028 and ü',
  true,
  [],
  {},
  [1, 'two', null, undefined, () => 3, Symbol('s'), [[]], { a: [{}] }],
  { a: 1, b: undefined, c: () => 1, d: Symbol('d'), e: null, 'f "g"': [undefined] },
  { when: new Date(Date.UTC(2026, 10, 23, 6, 0, 0)), map: new Map([[1, 2]]), set: new Set([1]) },
  { point: new Point(1, 2), list: [new Point(3, 4)] },
  { own: { toJSON: () => 'mine' } },
  Object.assign(Object.create(null) as object, { bare: [1, { deep: { deeper: [2] } }] }),
  {
    seq: 7,
    state: {
      lastIncidentNumber: 2,
      incidents: [
        { id: 'INC-1', labels: { a: 'b' }, alerts: [{ fingerprint: 'f', endsAt: undefined }] },
        { id: 'INC-2', labels: {}, alerts: [] },
      ],
      keys: [['k', 'INC-1']],
    },
  },
];

describe('jsonPieces: the text of JSON.stringify, in pieces', () => {
  it.each([0, 1, 2, 3, 4, 8])('joins to the same text at depth %i', (depth) => {
    for (const sample of SAMPLES) expect(joined(sample, depth)).toBe(JSON.stringify(sample));
  });

  it('keeps every piece to the size of one element below the opened levels', () => {
    const element = { id: 'x', text: 'y'.repeat(1000) };
    const state = { seq: 1, state: { incidents: Array.from({ length: 500 }, () => element) } };
    const pieces = [...jsonPieces(state, 3)];
    const whole = JSON.stringify(state).length;
    expect(pieces.join('').length).toBe(whole);
    expect(Math.max(...pieces.map((p) => p.length))).toBe(JSON.stringify(element).length);
    expect(whole).toBeGreaterThan(500 * 1000);
  });
});
