import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const DECISIONS = /^incident_bridge_decisions_total\{[^}]*\}\s+(\S+)$/gm;
const POLL_EVERY_MS = 100;

/** The bridge's `incident_bridge_decisions_total`, summed over every reason: one decision per alert processed. */
export async function decisionsTaken(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  const text = await res.text();
  let sum = 0;
  for (const m of text.matchAll(DECISIONS)) sum += Number(m[1]);
  return sum;
}

export interface Drained {
  /** When the count reached the target (performance.now() time), or null if it did not in time. */
  readonly at: number | null;
  readonly decisions: number;
}

/** Polls `/metrics` until the bridge has taken `expected` decisions, for at most `timeoutMs`. */
export async function waitForDecisions(url: string, expected: number, timeoutMs: number): Promise<Drained> {
  const deadline = performance.now() + timeoutMs;
  let decisions = 0;
  for (;;) {
    decisions = await decisionsTaken(url);
    const now = performance.now();
    if (decisions >= expected) return { at: now, decisions };
    if (now > deadline) return { at: null, decisions };
    await sleep(POLL_EVERY_MS);
  }
}
