import { performance } from 'node:perf_hooks';

/**
 * Intake first: while the senders keep the bridge busy (a load above `busyAbove`), the delivery workers
 * take no new delivery, and deliveries they have fetched but not begun wait, so the CPU and Redis go
 * to answering the senders; once the load stayed below `idleBelow` for `quietMs` they take deliveries
 * again. A storm is answered first and worked off right after. The load is sampled every `everyMs`,
 * and one busy sample is enough to hold: a storm that begins finds the workers held within a few
 * milliseconds, not after the deliveries they took in its first moments. So that a flood that never
 * stops cannot hold the work back for good, a hold lasts at most `maxHoldMs`, and one cut short so is
 * followed by at least `minRunMs` of work. A hold the senders ended by going quiet owes the work
 * nothing: storms come in waves, and the next one is held at once.
 */
export interface Pace {
  readonly everyMs: number;
  readonly busyAbove: number;
  readonly idleBelow: number;
  readonly quietMs: number;
  readonly maxHoldMs: number;
  readonly minRunMs: number;
}

export const PACE: Pace = {
  everyMs: 10,
  busyAbove: 0.5,
  idleBelow: 0.3,
  quietMs: 100,
  maxHoldMs: 5_000,
  minRunMs: 1_000,
};

/**
 * Whether the workers should hold off new deliveries now, given whether they do, for how long they
 * have (or have not), and the senders' load (0..1): over the last sample while running, over the
 * last `quietMs` while holding. `owed`: the last hold was cut at `maxHoldMs`, so the work is owed
 * `minRunMs` before the next one.
 */
export function shouldHold(
  held: boolean,
  forMs: number,
  load: number,
  pace: Pace = PACE,
  owed = true,
): boolean {
  if (held) return !(load < pace.idleBelow || forMs >= pace.maxHoldMs);
  return load > pace.busyAbove && (!owed || forMs >= pace.minRunMs);
}

/**
 * The load the decision looks at, from the samples taken since the workers last began or stopped
 * holding: the latest while running, so that a storm holds them at once; while holding, the mean of
 * the last `quietMs` of samples, and fully busy (1) until the hold has lasted that long, so that
 * neither a short gap between deliveries nor the quiet before the storm lets them go in its middle.
 */
export function paceLoad(held: boolean, sinceChange: readonly number[], pace: Pace = PACE): number {
  if (!held) return sinceChange.at(-1) ?? 0;
  const n = Math.max(1, Math.round(pace.quietMs / pace.everyMs));
  if (sinceChange.length < n) return 1;
  return sinceChange.slice(-n).reduce((sum, l) => sum + l, 0) / n;
}

/**
 * Where the pacer stands: holding or not, since when (ms), the load samples taken since then, and
 * whether the work is owed `minRunMs` (the last hold was cut at `maxHoldMs`).
 */
export interface PaceState {
  readonly held: boolean;
  readonly since: number;
  readonly samples: readonly number[];
  readonly owed: boolean;
}

export const PACE_START: PaceState = { held: false, since: 0, samples: [], owed: false };

/** One sample of the load taken at `now` (ms): the pacer's next state. */
export function paceStep(state: PaceState, load: number, now: number, pace: Pace = PACE): PaceState {
  const keep = Math.max(1, Math.round(pace.quietMs / pace.everyMs));
  const samples = [...state.samples.slice(Math.max(0, state.samples.length - keep + 1)), load];
  const forMs = now - state.since;
  const held = shouldHold(state.held, forMs, paceLoad(state.held, samples, pace), pace, state.owed);
  if (held === state.held) return { ...state, samples };
  return { held, since: now, samples: [], owed: state.held && forMs >= pace.maxHoldMs };
}

/**
 * What a pacer holds back: work that would begin waits on `whileHeld()` (null when nothing is held)
 * until `release`.
 */
export class Hold {
  private current: { readonly until: Promise<void>; readonly release: () => void } | null = null;

  /** Resolves once the hold is released; null when there is none. */
  whileHeld(): Promise<void> | null {
    return this.current?.until ?? null;
  }

  hold(): void {
    if (this.current) return;
    let release = (): void => undefined;
    const until = new Promise<void>((r) => {
      release = r;
    });
    this.current = { until, release };
  }

  release(): void {
    this.current?.release();
    this.current = null;
  }
}

export interface IntakePacer {
  held(): boolean;
  stop(): void;
}

/** Samples the load every `pace.everyMs` and tells `hold(true|false)` when the decision changes. */
export function startIntakePacer(
  load: () => number,
  hold: (hold: boolean) => void,
  pace: Pace = PACE,
): IntakePacer {
  let state: PaceState = { ...PACE_START, since: Date.now() };
  const timer = setInterval(() => {
    const next = paceStep(state, load(), Date.now(), pace);
    const changed = next.held !== state.held;
    state = next;
    if (changed) hold(next.held);
  }, pace.everyMs);
  timer.unref();
  return { held: () => state.held, stop: () => clearInterval(timer) };
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
