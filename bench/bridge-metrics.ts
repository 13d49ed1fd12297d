import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const DECISIONS = /^incident_bridge_decisions_total\{[^}]*\}\s+(\S+)$/gm;
const POLL_EVERY_MS = 100;
/** Polls at most this share of the time, however slow a scrape gets: the poll must not become the load. */
const POLL_DUTY = 0.2;

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  return res.text();
}

function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** The bridge's `incident_bridge_decisions_total`, summed over every reason: one decision per alert processed. */
export async function decisionsTaken(url: string): Promise<number> {
  let sum = 0;
  for (const m of (await scrape(url)).matchAll(DECISIONS)) sum += Number(m[1]);
  return sum;
}

export interface Drained {
  /** When the count reached the target (performance.now() time), or null if it did not in time. */
  readonly at: number | null;
  readonly decisions: number;
  readonly scrapes: number;
  /** The slowest `GET /metrics` while waiting. */
  readonly slowestScrapeMs: number;
}

/**
 * Polls `/metrics` until the bridge has taken `expected` decisions, for at most `timeoutMs`. Every
 * 100 ms, or less often when a scrape itself is slow, so that scraping takes at most a fifth of the time.
 */
export async function waitForDecisions(url: string, expected: number, timeoutMs: number): Promise<Drained> {
  const deadline = performance.now() + timeoutMs;
  let scrapes = 0;
  let slowestScrapeMs = 0;
  for (;;) {
    const started = performance.now();
    const decisions = await decisionsTaken(url);
    const now = performance.now();
    scrapes++;
    slowestScrapeMs = Math.max(slowestScrapeMs, now - started);
    if (decisions >= expected) return { at: now, decisions, scrapes, slowestScrapeMs };
    if (now > deadline) return { at: null, decisions, scrapes, slowestScrapeMs };
    await sleep(Math.max(POLL_EVERY_MS, ((now - started) * (1 - POLL_DUTY)) / POLL_DUTY));
  }
}

/** Where the bridge's memory is at one moment, from prom-client's default metrics. */
export interface MemoryGauges {
  /** How long that `GET /metrics` took. */
  readonly scrapeMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** Buffers and other memory outside the JS heap. */
  readonly externalBytes: number;
}

export async function memoryGauges(url: string): Promise<MemoryGauges> {
  const started = performance.now();
  const text = await scrape(url);
  return {
    scrapeMs: Number((performance.now() - started).toFixed(1)),
    rssBytes: gauge(text, 'process_resident_memory_bytes'),
    heapUsedBytes: gauge(text, 'nodejs_heap_size_used_bytes'),
    heapTotalBytes: gauge(text, 'nodejs_heap_size_total_bytes'),
    externalBytes: gauge(text, 'nodejs_external_memory_bytes'),
  };
}
