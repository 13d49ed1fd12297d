import { describe, expect, it } from 'vitest';
import {
  checkTargets,
  type LoadSummary,
  type ModeResult,
  medianIndex,
  pairPasses,
} from '../../bench/bench-result.js';
import { benchOptions } from '../helpers/bench-options.js';

/** A closed-loop pass that accepted `alertsPerSecond`; `tag` tells passes apart. */
const pass = (alertsPerSecond: number, tag = 0): LoadSummary => ({
  requests: 1100,
  accepted: 1100,
  acceptedAlerts: 110_000,
  failures: {},
  seconds: 110_000 / alertsPerSecond,
  acceptedAlertsPerSecond: alertsPerSecond,
  requestsPerSecond: Math.round(alertsPerSecond / 100),
  p50Ms: tag,
  p99Ms: tag,
  maxMs: tag,
});

describe('medianIndex', () => {
  it('finds the middle value whatever the order', () => {
    expect(medianIndex([5])).toBe(0);
    expect(medianIndex([3, 1, 2])).toBe(2);
    expect(medianIndex([0.7, 0.45, 0.6])).toBe(2);
    expect(medianIndex([1, 9, 5, 7, 3])).toBe(2);
  });

  it('takes the lower of the two middle ones when the count is even, so a median never flatters', () => {
    expect(medianIndex([0.5, 0.7, 0.6, 0.4])).toBe(0);
    expect(medianIndex([2, 1])).toBe(1);
  });

  it('keeps the first of equal values, and has nothing to point at in an empty list', () => {
    expect(medianIndex([4, 4, 4])).toBe(1);
    expect(medianIndex([])).toBe(-1);
  });
});

describe('pairPasses: the ratio to the bare server, from passes sent in pairs', () => {
  it("divides each bridge pass by the bare pass sent right before it, not by another pair's", () => {
    const r = pairPasses([
      { bare: pass(400_000), bridge: pass(240_000) },
      { bare: pass(250_000), bridge: pass(200_000) },
    ]);
    expect(r.passes.map((p) => p.ratio)).toEqual([0.6, 0.8]);
    expect(r.passes[1]).toEqual({ bareAlertsPerSecond: 250_000, bridgeAlertsPerSecond: 200_000, ratio: 0.8 });
  });

  it('reports the median ratio, and the throughput of the very pass it came from', () => {
    const r = pairPasses([
      { bare: pass(300_000), bridge: pass(270_000, 1) }, // 0.9
      { bare: pass(500_000), bridge: pass(225_000, 2) }, // 0.45
      { bare: pass(400_000), bridge: pass(240_000, 3) }, // 0.6
    ]);
    expect(r.ratioToBare).toBe(0.6);
    expect(r.throughput.p99Ms).toBe(3);
    expect(r.throughput.acceptedAlertsPerSecond).toBe(240_000);
  });

  it('lets one unlucky pair fail the target only when it is not an outlier', () => {
    const targetOf = (ratios: readonly [number, number][]) => {
      const mode = {
        mode: 'redis',
        ...pairPasses(ratios.map(([bare, bridge]) => ({ bare: pass(bare), bridge: pass(bridge) }))),
        endToEnd: { alertsPerSecond: 20_000 },
        paced: pass(100_000),
        peakRssBytes: 0,
        pacedPeakRssBytes: 0,
      } as unknown as ModeResult;
      return checkTargets([mode], 1000).find((t) => t.target.includes('x bare'));
    };
    expect(
      targetOf([
        [300_000, 180_000],
        [316_000, 142_000],
        [280_000, 170_000],
      ])?.pass,
    ).toBe(true);
    expect(
      targetOf([
        [300_000, 140_000],
        [316_000, 142_000],
        [280_000, 170_000],
      ]),
    ).toMatchObject({ pass: false, value: '0.47 x' });
  });

  it('gives no ratio that could pass when the bare server accepted nothing', () => {
    expect(pairPasses([{ bare: pass(0), bridge: pass(100_000) }]).ratioToBare).toBe(0);
  });

  it('refuses to make a figure out of no pass at all', () => {
    expect(() => pairPasses([])).toThrow(/no throughput pass/);
  });
});

describe('--throughput-passes', () => {
  const passesOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => benchOptions(argv, env).throughputPasses;

  it('is 3 by default, from the command line or BENCH_THROUGHPUT_PASSES otherwise', () => {
    expect(passesOf([])).toBe(3);
    expect(passesOf(['--throughput-passes', '5'])).toBe(5);
    expect(passesOf([], { BENCH_THROUGHPUT_PASSES: '1' })).toBe(1);
  });

  it('refuses what is not a whole number from 1 to 20', () => {
    for (const bad of ['0', '21', '2.5', 'many']) {
      expect(() => passesOf(['--throughput-passes', bad])).toThrow(/--throughput-passes/);
    }
  });
});
