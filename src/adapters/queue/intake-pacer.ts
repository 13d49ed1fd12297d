import { performance } from 'node:perf_hooks';

/**
 * Intake first: while the senders keep the bridge busy (a load above `busyAbove`), the delivery workers
 * take no new delivery, so the CPU and Redis go to answering them; once the load is below `idleBelow`
 * they take deliveries again. A storm is answered
 * first and worked off right after. So that a flood that never stops cannot hold the work back for
 * good, a hold lasts at most `maxHoldMs`, and is followed by at least `minRunMs` of work.
 */
export interface Pace {
  readonly everyMs: number;
  readonly busyAbove: number;
  readonly idleBelow: number;
  readonly maxHoldMs: number;
  readonly minRunMs: number;
}

export const PACE: Pace = { everyMs: 50, busyAbove: 0.5, idleBelow: 0.3, maxHoldMs: 5_000, minRunMs: 1_000 };

/**
 * Whether the workers should hold off new deliveries now, given whether they do, for how long they
 * have (or have not), and the senders' load over the last interval (0..1).
 */
export function shouldHold(held: boolean, forMs: number, load: number, pace: Pace = PACE): boolean {
  if (held) return !(load < pace.idleBelow || forMs >= pace.maxHoldMs);
  return load > pace.busyAbove && forMs >= pace.minRunMs;
}

/** Samples the load every `pace.everyMs` and tells `hold(true|false)` when the decision changes. */
export function startIntakePacer(
  load: () => number,
  hold: (hold: boolean) => void,
  pace: Pace = PACE,
): { held(): boolean; stop(): void } {
  let held = false;
  let since = Date.now();
  const timer = setInterval(() => {
    const next = shouldHold(held, Date.now() - since, load(), pace);
    if (next === held) return;
    held = next;
    since = Date.now();
    hold(next);
  }, pace.everyMs);
  timer.unref();
  return { held: () => held, stop: () => clearInterval(timer) };
}

/**
 * The share of each interval between two calls that this thread's event loop spent working: the
 * load when the main thread only answers (deliveries carried out in ingest threads).
 */
export function eventLoopLoad(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const load = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return load;
  };
}

/**
 * Webhook deliveries per second over the interval between two calls, against `fullPerSecond`: the load
 * when deliveries are carried out on the same thread, whose busy-ness then says nothing of the senders.
 */
export function deliveryRateLoad(taken: () => number, fullPerSecond: number): () => number {
  let lastCount = taken();
  let lastAt = performance.now();
  return () => {
    const count = taken();
    const at = performance.now();
    const rate = ((count - lastCount) * 1000) / Math.max(1, at - lastAt);
    lastCount = count;
    lastAt = at;
    return rate / fullPerSecond;
  };
}
