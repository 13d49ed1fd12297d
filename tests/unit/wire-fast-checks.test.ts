import { describe, expect, it } from 'vitest';
import { FINGERPRINT, isFingerprint } from '../../src/adapters/sources/alertmanager-payload.js';
import { isRfc3339, RFC_3339 } from '../../src/adapters/sources/wire.js';

/**
 * The webhook's hand-written checks must accept exactly what the regular expressions they replace
 * accept: each is compared with its expression on every string made by changing, removing or adding
 * one character anywhere in strings that sit on the rules, and on random strings.
 */

/** Characters that matter to the rules, and some that only look as if they might. */
const PROBES = [...'0123456789', ...'-:.+ TtZzaAfFgG', '\u0660', '\uff11', '/', '\u0000'];

function* nearby(s: string): Generator<string> {
  yield s;
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length) yield s.slice(0, i) + s.slice(i + 1);
    for (const c of PROBES) {
      yield s.slice(0, i) + c + s.slice(i);
      if (i < s.length) yield s.slice(0, i) + c + s.slice(i + 1);
    }
  }
}

/** A deterministic generator, so that a failure shows again. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('isRfc3339', () => {
  const SEEDS = [
    '2026-11-22T20:00:00Z',
    '0001-01-01T00:00:00Z',
    '2026-11-22T20:00:00.123456789Z',
    '2026-11-22t20:00:00z',
    '2026-11-22 20:00:00+01:00',
    '2026-02-31T23:59:59.5-23:59',
    '1999-12-31T00:00:00.000+00:00',
    '2026-10-19T09:30:00+05:30',
    '2026-11-22T20:00:00',
  ];

  it('accepts what the expression accepts, and nothing else, near every rule', () => {
    let tried = 0;
    let accepted = 0;
    for (const seed of SEEDS) {
      for (const s of nearby(seed)) {
        const expected = RFC_3339.test(s);
        expect(isRfc3339(s), JSON.stringify(s)).toBe(expected);
        tried++;
        if (expected) accepted++;
      }
    }
    // Both sides of the rules were reached.
    expect(accepted).toBeGreaterThan(100);
    expect(tried - accepted).toBeGreaterThan(1000);
  });

  it('agrees with the expression on every field at every value it could take', () => {
    for (let v = 0; v < 100; v++) {
      const d = String(v).padStart(2, '0');
      for (const s of [
        `2026-${d}-01T00:00:00Z`,
        `2026-01-${d}T00:00:00Z`,
        `2026-01-01T${d}:00:00Z`,
        `2026-01-01T00:${d}:00Z`,
        `2026-01-01T00:00:${d}Z`,
        `2026-01-01T00:00:00+${d}:00`,
        `2026-01-01T00:00:00-00:${d}`,
      ]) {
        expect(isRfc3339(s), s).toBe(RFC_3339.test(s));
      }
    }
  });

  it('agrees with it on random strings of its alphabet', () => {
    const next = random(42);
    for (let n = 0; n < 20_000; n++) {
      const base = SEEDS[Math.floor(next() * SEEDS.length)] ?? '';
      const chars = [...base];
      for (let k = Math.floor(next() * 4); k > 0; k--) {
        chars[Math.floor(next() * chars.length)] = PROBES[Math.floor(next() * PROBES.length)] ?? '';
      }
      const s = chars.join('');
      expect(isRfc3339(s), JSON.stringify(s)).toBe(RFC_3339.test(s));
    }
  });
});

describe('isFingerprint', () => {
  it('accepts what the expression accepts, and nothing else', () => {
    let accepted = 0;
    for (const seed of ['', 'a', '0123456789abcdef', 'c1b06ed4a53d2c7f', 'ffff', '1234567890abcde']) {
      for (const s of nearby(seed)) {
        const expected = FINGERPRINT.test(s);
        expect(isFingerprint(s), JSON.stringify(s)).toBe(expected);
        if (expected) accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(50);
    expect(isFingerprint('0123456789abcdef0')).toBe(false);
    expect(isFingerprint('ABCDEF')).toBe(false);
  });
});
