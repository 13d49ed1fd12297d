import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { stringMap, timestamp, toIso } from '../../src/adapters/sources/wire.js';

const RFC_3339: string[] = [
  '2026-11-22T20:00:00Z',
  '2026-11-22T20:00:00.5Z',
  '2026-11-22T20:00:00.123Z',
  '2026-11-22T20:00:00.123456789Z',
  '2026-11-22T20:00:00.123456789+05:30',
  '2026-11-22T20:00:00-08:00',
  '2026-11-22T20:00:00-00:00',
  '2026-11-22t20:00:00z',
  '2026-11-22 20:00:00Z',
  '2026-11-22T23:59:59.999999999+23:59',
  // Alertmanager's endsAt of a firing alert.
  '0001-01-01T00:00:00Z',
];

describe('timestamp', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(RFC_3339)('accepts the RFC 3339 timestamp %s, unchanged', (s) => {
    const r = timestamp.safeParse(s);
    expect(r.success).toBe(true);
    expect(r.data).toBe(s);
  });

  it.each(RFC_3339)('reads %s as RFC 3339 without falling back to Date.parse', (s) => {
    const parse = vi.spyOn(Date, 'parse');
    expect(timestamp.safeParse(s).success).toBe(true);
    expect(parse).not.toHaveBeenCalled();
  });

  it.each(['Sun, 22 Nov 2026 20:00:00 GMT', '2026-11-22', '2026-11-22T20:00', '2026-11-22T20:00:00'])(
    'still accepts %s, which Date.parse reads',
    (s) => {
      expect(Number.isNaN(Date.parse(s))).toBe(false);
      const parse = vi.spyOn(Date, 'parse');
      expect(timestamp.safeParse(s).success).toBe(true);
      expect(parse).toHaveBeenCalledWith(s);
    },
  );

  it.each([
    '',
    '   ',
    'yesterday',
    'T',
    '1732300000000',
    '2026-11-22T25:00:00Z',
    '2026-11-22T20:61:00Z',
    '2026-11-22T20:00:00+24:00',
  ])('rejects %j', (s) => {
    const r = timestamp.safeParse(s);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(['expected an RFC 3339 timestamp']);
  });

  it('rejects what is not a string', () => {
    for (const v of [1_732_300_000_000, null, undefined, new Date()]) {
      expect(timestamp.safeParse(v).success).toBe(false);
    }
  });

  it.each([
    ['2026-11-22T20:00:00.123456789+05:30', '2026-11-22T14:30:00.123Z'],
    ['2026-11-22t20:00:00z', '2026-11-22T20:00:00.000Z'],
    ['2026-11-22T20:00:00-08:00', '2026-11-23T04:00:00.000Z'],
  ])('toIso reads %s as %s', (s, iso) => {
    expect(toIso(s)).toBe(iso);
  });
});

describe('stringMap', () => {
  it('passes an object of strings through as the same object', () => {
    const labels = { alertname: 'RigValueHigh', severity: 'warning', empty: '' };
    const r = stringMap.safeParse(labels);
    expect(r.success).toBe(true);
    expect(r.data).toBe(labels);
    expect(r.data).toEqual({ alertname: 'RigValueHigh', severity: 'warning', empty: '' });
  });

  it('passes an empty object', () => {
    const empty = {};
    expect(stringMap.parse(empty)).toBe(empty);
  });

  it('keeps the same object when nested in an object schema', () => {
    const labels = { severity: 'critical' };
    expect(z.object({ labels: stringMap }).parse({ labels }).labels).toBe(labels);
  });

  it.each([
    [null, 'null'],
    [['a', 'b'], 'array'],
    [42, 'number'],
    ['severity=critical', 'string'],
    [undefined, 'undefined'],
  ])('rejects %j as not an object', (v, kind) => {
    const r = stringMap.safeParse(v);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([
      `expected an object of strings, received ${kind}`,
    ]);
  });

  it('reports each value that is not a string under its own key', () => {
    const r = stringMap.safeParse({ ok: 'yes', severity: 3, team: null, tags: ['a'], nested: { a: 'b' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['severity'], 'expected string, received number'],
      [['team'], 'expected string, received null'],
      [['tags'], 'expected string, received array'],
      [['nested'], 'expected string, received object'],
    ]);
  });

  it('reports a bad value under the path of the field it is nested in', () => {
    const schema = z.object({ labels: stringMap, annotations: stringMap });
    const r = schema.safeParse({ labels: { alertname: 'X', severity: 4 }, annotations: { summary: 's' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toHaveLength(1);
    expect(r.error?.issues[0]?.path).toEqual(['labels', 'severity']);
    expect(r.error?.issues[0]?.message).toBe('expected string, received number');
  });

  it('reports a field that is not an object under the field', () => {
    const r = z.object({ labels: stringMap }).safeParse({ labels: [] });
    expect(r.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['labels'], 'expected an object of strings, received array'],
    ]);
  });
});

describe('toIso keeps what toISOString would write', () => {
  const long = (s: string): string => new Date(Date.parse(s)).toISOString();
  it.each([
    '2026-11-22T23:31:52.041Z',
    '2024-02-28T23:59:59.999Z',
    '2024-02-29T00:00:00.000Z',
    '2023-02-29T00:00:00.000Z',
    '2024-02-31T12:00:00.000Z',
    '2024-04-31T10:00:00.000Z',
    '2024-01-01T10:00:00Z',
    '2024-01-01T10:00:00.123456789Z',
    '2024-01-01T10:00:00+02:00',
    '0001-01-01T00:00:00.000Z',
  ])('%s', (s) => {
    expect(toIso(s)).toBe(long(s));
  });
});
