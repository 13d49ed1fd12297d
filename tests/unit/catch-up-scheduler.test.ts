import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/logging/winston-logger.js';
import { InProcessLocks } from '../../src/adapters/tracker/in-process-locks.js';
import type { CatchUpOutcome } from '../../src/app/catch-up-ports.js';
import { CatchUpScheduler } from '../../src/app/catch-up-scheduler.js';
import type { Locks } from '../../src/app/tracker-ports.js';

const heldElsewhere: Locks = {
  withLock: async (name) => {
    throw new Error(`lock ${name} is held elsewhere`);
  },
};

function scheduler(locks: Locks, run: () => Promise<unknown>, everyMs = 60_000) {
  const outcomes: CatchUpOutcome[] = [];
  const s = new CatchUpScheduler(
    { locks, logger: silentLogger, metrics: { run: (_source, outcome) => outcomes.push(outcome) } },
    { source: 'zabbix', everyMs, run },
  );
  return { s, outcomes };
}

describe('catch-up scheduler', () => {
  it('skips the pass another instance holds the lock for, without running it', async () => {
    let ran = 0;
    const { s, outcomes } = scheduler(heldElsewhere, async () => ran++);
    expect(await s.runNow()).toBe('skipped');
    expect(ran).toBe(0);
    expect(outcomes).toEqual(['skipped']);
    await s.close();
  });

  it('counts a failing pass as failed and runs the next one on schedule', async () => {
    let calls = 0;
    const { s, outcomes } = scheduler(
      new InProcessLocks(),
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('zabbix is down');
      },
      20,
    );
    s.start();
    await new Promise((r) => setTimeout(r, 200));
    await s.close();
    expect(outcomes[0]).toBe('failed');
    expect(outcomes.slice(1).every((o) => o === 'ok')).toBe(true);
    expect(calls).toBeGreaterThan(1);
  });

  it('never runs two passes at once, and close waits for the one in hand', async () => {
    let running = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const { s } = scheduler(new InProcessLocks(), async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((r) => {
        release = r;
      });
      running -= 1;
    });
    const first = s.runNow();
    const second = s.runNow();
    expect(second).toBe(first);
    while (running === 0) await new Promise((r) => setTimeout(r, 5));
    const closed = s.close();
    release();
    await closed;
    expect(most).toBe(1);
    expect(running).toBe(0);
  });
});
