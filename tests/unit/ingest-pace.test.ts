import { describe, expect, it } from 'vitest';
import {
  deliveryRateLoad,
  PACE,
  PACE_START,
  type PaceState,
  paceLoad,
  paceStep,
  shouldHold,
} from '../../src/adapters/queue/intake-pacer.js';

/**
 * Steps the pacer as the main thread does every `PACE.everyMs`: `load(t)` is how busy it was over
 * the last step. Returns the spans (start, end, held) the workers spent holding and running.
 */
function simulate(
  load: (t: number) => number,
  totalMs: number,
): { held: boolean; from: number; to: number }[] {
  const spans: { held: boolean; from: number; to: number }[] = [];
  let state: PaceState = PACE_START;
  for (let t = PACE.everyMs; t <= totalMs; t += PACE.everyMs) {
    const next = paceStep(state, load(t), t);
    if (next.held !== state.held) spans.push({ held: state.held, from: state.since, to: t });
    state = next;
  }
  spans.push({ held: state.held, from: state.since, to: totalMs });
  return spans;
}

describe('the pace of the ingest threads', () => {
  it('holds above busyAbove and lets go below idleBelow, within bounded spans', () => {
    expect(PACE).toMatchObject({
      everyMs: 10,
      busyAbove: 0.5,
      idleBelow: 0.3,
      quietMs: 100,
      maxHoldMs: 5_000,
      minRunMs: 1_000,
    });
    expect(PACE.idleBelow).toBeLessThan(PACE.busyAbove);
  });

  const running: [string, number, number, boolean][] = [
    ['busy after minRunMs of work', 1_000, 0.51, true],
    ['fully busy long after', 60_000, 1, true],
    ['busy, but not yet minRunMs of work', 999, 0.9, false],
    ['fully busy right after a hold', 0, 1, false],
    ['exactly at busyAbove', 1_000, 0.5, false],
    ['between the two thresholds', 10_000, 0.4, false],
    ['idle', 10_000, 0, false],
  ];
  it.each(running)(
    'while running after a hold cut at maxHoldMs, %s (%i ms, load %d) → hold %s',
    (_what, forMs, load, hold) => {
      expect(shouldHold(false, forMs, load, PACE, true)).toBe(hold);
    },
  );

  it('owes no minRunMs after a hold the senders ended by going quiet', () => {
    expect(shouldHold(false, 0, 1, PACE, false)).toBe(true);
    expect(shouldHold(false, 10, 0.51, PACE, false)).toBe(true);
    expect(shouldHold(false, 10, 0.5, PACE, false)).toBe(false);
    expect(shouldHold(false, 10, 0, PACE, false)).toBe(false);
  });

  const holding: [string, number, number, boolean][] = [
    ['still busy', 100, 0.9, true],
    ['between the two thresholds', 100, 0.4, true],
    ['exactly at idleBelow', 100, 0.3, true],
    ['busy until just before maxHoldMs', 4_999, 1, true],
    ['just below idleBelow', 100, 0.29, false],
    ['idle at once', 0, 0, false],
    ['busy for maxHoldMs', 5_000, 1, false],
    ['busy past maxHoldMs', 7_000, 0.9, false],
  ];
  it.each(holding)('while holding, %s (%i ms, load %d) → hold %s', (_what, forMs, load, hold) => {
    expect(shouldHold(true, forMs, load)).toBe(hold);
  });

  it('follows the pace it is given', () => {
    const pace = { ...PACE, busyAbove: 0.8, idleBelow: 0.1, maxHoldMs: 200, minRunMs: 100 };
    expect(shouldHold(false, 100, 0.7, pace)).toBe(false);
    expect(shouldHold(false, 100, 0.81, pace)).toBe(true);
    expect(shouldHold(false, 99, 0.81, pace)).toBe(false);
    expect(shouldHold(true, 100, 0.2, pace)).toBe(true);
    expect(shouldHold(true, 100, 0.09, pace)).toBe(false);
    expect(shouldHold(true, 200, 0.9, pace)).toBe(false);
  });

  it('under a load of 0.9 for 20 s, never holds longer than maxHoldMs and runs minRunMs between holds', () => {
    const spans = simulate(() => 0.9, 20_000);
    const holds = spans.filter((s) => s.held);
    const runs = spans.filter((s) => !s.held);
    // Held at the first sample, and more than once: the bound lets the work through, then holds again.
    expect(holds[0]?.from).toBe(PACE.everyMs);
    expect(holds.length).toBeGreaterThanOrEqual(3);
    for (const h of holds) expect(h.to - h.from).toBeLessThanOrEqual(PACE.maxHoldMs);
    // Every run after a hold (each cut at maxHoldMs here), but a last one cut short by the end of the
    // simulation, lasts at least minRunMs.
    const afterHolds = runs.filter((s) => s.from > PACE.everyMs && s.to < 20_000);
    expect(afterHolds.length).toBeGreaterThanOrEqual(2);
    for (const r of afterHolds) expect(r.to - r.from).toBeGreaterThanOrEqual(PACE.minRunMs);
    // Most of the time goes to answering: the threads hold more than they run.
    const heldMs = holds.reduce((sum, h) => sum + (h.to - h.from), 0);
    expect(heldMs).toBeGreaterThan(20_000 / 2);
  });

  it('lets go once the load stayed below idleBelow for quietMs', () => {
    const spans = simulate((t) => (t <= 3_000 ? 0.9 : t <= 4_000 ? 0.4 : 0.1), 8_000);
    expect(spans).toEqual([
      { held: false, from: 0, to: 10 },
      // Held from the first sample; a load between the thresholds keeps the hold; from 4 s on it is
      // idle, and the mean of the last 100 ms falls below idleBelow at 4.04 s ((0.4 × 6 + 0.1 × 4) / 10).
      { held: true, from: 10, to: 4_040 },
      { held: false, from: 4_040, to: 8_000 },
    ]);
  });

  it('holds at once the next wave of a storm, right after the senders ended the last hold', () => {
    // A storm from 2 s to 3 s, 500 ms of quiet, then the next one: the workers get the gap, not 1 s.
    const wave = (t: number) => (t > 2_000 && t <= 3_000) || t > 3_500;
    const spans = simulate((t) => (wave(t) ? 2.5 : 0), 5_000);
    expect(spans).toEqual([
      { held: false, from: 0, to: 2_010 },
      // The mean of the last 100 ms falls below idleBelow at 3.09 s (2.5 / 10 = 0.25).
      { held: true, from: 2_010, to: 3_090 },
      { held: false, from: 3_090, to: 3_510 },
      { held: true, from: 3_510, to: 5_000 },
    ]);
  });

  it('holds at the first busy sample of a storm that begins after a quiet spell', () => {
    // Idle for 2 s, then 1,000 deliveries/s against a full rate of 400/s: a load of 2.5.
    const spans = simulate((t) => (t <= 2_000 ? 0 : 2.5), 4_000);
    expect(spans).toEqual([
      { held: false, from: 0, to: 2_010 },
      { held: true, from: 2_010, to: 4_000 },
    ]);
  });

  it('is not let go by a gap of a few samples in the middle of a storm', () => {
    // Busy from 2 s, with 30 ms without a delivery at 2.5 s: a sender's pause, a GC.
    const gap = (t: number) => t > 2_500 && t <= 2_530;
    const spans = simulate((t) => (t <= 2_000 || gap(t) ? 0 : 2.5), 4_000);
    expect(spans.filter((s) => s.held)).toEqual([{ held: true, from: 2_010, to: 4_000 }]);
  });

  it('goes by the last sample while running and the mean of the last quietMs while holding', () => {
    expect(paceLoad(false, [])).toBe(0);
    expect(paceLoad(false, [0.1, 0.9])).toBe(0.9);
    // Not yet quietMs of samples since the hold began: counted fully busy, whatever they say.
    expect(paceLoad(true, Array(9).fill(0))).toBe(1);
    expect(paceLoad(true, [...Array(5).fill(1), ...Array(10).fill(0.2)])).toBeCloseTo(0.2, 10);
    expect(paceLoad(true, [0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0])).toBeCloseTo(0.25, 10);
  });

  it('never holds while the load stays between the two thresholds', () => {
    expect(simulate(() => 0.45, 20_000)).toEqual([{ held: false, from: 0, to: 20_000 }]);
  });
});

describe('deliveryRateLoad', () => {
  it('reads the webhook deliveries since the last call as a share of the busy rate', async () => {
    let taken = 0;
    const load = deliveryRateLoad(() => taken, 400);
    taken += 40;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, 100));
    const elapsed = performance.now() - started;
    // 40 deliveries in about 100 ms: about 400 per second, a full load.
    expect(load()).toBeCloseTo(40_000 / elapsed / 400, 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(load()).toBe(0);
  });
});
