import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alertmanagerPayloadSchema,
  plainAlertmanagerAlerts,
} from '../../src/adapters/sources/alertmanager-payload.js';

/**
 * The webhook's cheap check of an Alertmanager body must never let through what the schema refuses:
 * the schema is the contract, the cheap check only spares its cost for bodies that plainly fit.
 */

const dir = join(import.meta.dirname, '..', 'fixtures', 'alertmanager');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown] as const);

/** Values put in place of every field in turn: each kind of JSON value, and strings near the rules. */
const REPLACEMENTS: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  '',
  '4',
  'firing',
  'resolved',
  'abc',
  'ABCDEF',
  '0123456789abcdef0',
  '2026-11-22T20:00:00Z',
  '2026-13-01T00:00:00Z',
  'Sun, 22 Nov 2026 20:00:00 GMT',
  [],
  ['x'],
  {},
  { a: 'b' },
  { a: 1 },
  { a: null },
];

type Path = readonly (string | number)[];

/** Fields the schema knows that a captured payload may lack: they are set too. */
const KNOWN_FIELDS: readonly Path[] = [
  ...[
    'truncatedAlerts',
    'groupLabels',
    'commonLabels',
    'commonAnnotations',
    'externalURL',
    'notification_reason',
    'routeLabels',
    'timeout',
  ].map((f) => [f]),
  ...['annotations', 'endsAt', 'generatorURL', 'fingerprint'].map((f) => ['alerts', 0, f]),
];

/** Every path to a value in a parsed JSON document, the root excluded. */
function paths(v: unknown, at: Path = []): Path[] {
  if (typeof v !== 'object' || v === null) return [];
  const keys = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => {
    const p = [...at, k];
    return [p, ...paths((v as Record<string | number, unknown>)[k], p)];
  });
}

/** A copy of `doc` with the value at `path` replaced, or removed when `value` is `REMOVE`. */
const REMOVE = Symbol('remove');
function changed(doc: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value !== REMOVE) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

describe('plainAlertmanagerAlerts', () => {
  it.each(fixtures)('counts the alerts of the captured payload %s, as the schema does', (_, doc) => {
    const checked = alertmanagerPayloadSchema.parse(doc);
    expect(plainAlertmanagerAlerts(doc)).toBe(checked.alerts.length);
  });

  it.each(fixtures)('passes no change of a field of %s that the schema refuses', (_, doc) => {
    let tried = 0;
    let refusedBySchema = 0;
    const known = KNOWN_FIELDS.map((p) => p.join('.'));
    const every = [...paths(doc).filter((p) => !known.includes(p.join('.'))), ...KNOWN_FIELDS];
    for (const path of every) {
      for (const value of [...REPLACEMENTS, REMOVE]) {
        const candidate = changed(doc, path, value);
        const plain = plainAlertmanagerAlerts(candidate);
        const schema = alertmanagerPayloadSchema.safeParse(candidate);
        tried++;
        if (!schema.success) {
          refusedBySchema++;
          expect(plain, `${path.join('.')} = ${String(value)}`).toBeNull();
        } else if (plain !== null) {
          expect(plain).toBe(schema.data.alerts.length);
        }
      }
    }
    // The changes reach what the schema checks: many of them are refused.
    expect(refusedBySchema).toBeGreaterThan(tried / 10);
  });

  it.each([
    ['not an object', []],
    ['null', null],
    ['a string', '{"version":"4"}'],
  ])('leaves a body that is %s to the schema', (_, doc) => {
    expect(plainAlertmanagerAlerts(doc)).toBeNull();
    expect(alertmanagerPayloadSchema.safeParse(doc).success).toBe(false);
  });
});
