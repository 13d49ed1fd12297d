import { Queue } from 'bullmq';
import { expect } from 'vitest';
import { QUEUE_NAMES } from '../../src/adapters/queue/delivery-jobs.js';

/** An alert storm for the production-mode tests: unique alerts, spread over a known set of incidents. */
export interface Storm {
  readonly deliveries: readonly StormDelivery[];
  /** Alertname of each incident → the alert ids it must end up with. */
  readonly expected: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface StormDelivery {
  readonly index: number;
  readonly payload: Record<string, unknown>;
  readonly alertIds: readonly string[];
}

/**
 * `alerts` alerts in `deliveries` Alertmanager deliveries over `incidents` incidents. Alert `a` belongs
 * to incident `a % incidents`, so every delivery touches as many incidents as it has alerts, and every
 * incident receives alerts from many deliveries: the worst case for lost updates.
 */
export function alertStorm(options: { alerts: number; deliveries: number; incidents: number }): Storm {
  const perDelivery = options.alerts / options.deliveries;
  const expected = new Map<string, Set<string>>();
  const deliveries: StormDelivery[] = [];
  for (let d = 0; d < options.deliveries; d++) {
    const alerts = [];
    const alertIds = [];
    for (let j = 0; j < perDelivery; j++) {
      const a = d * perDelivery + j;
      const alertname = `StormAlert${a % options.incidents}`;
      const fingerprint = a.toString(16).padStart(16, '0');
      alerts.push({
        status: 'firing',
        labels: { alertname, service: 'storm', instance: `host-${a}:9100`, severity: 'critical' },
        annotations: { summary: `storm alert ${a}` },
        startsAt: '2026-11-22T20:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint,
      });
      alertIds.push(`am:${fingerprint}`);
      const ids = expected.get(alertname) ?? new Set<string>();
      ids.add(`am:${fingerprint}`);
      expected.set(alertname, ids);
    }
    deliveries.push({
      index: d,
      alertIds,
      payload: {
        version: '4',
        groupKey: `{}:{storm="${d}"}`,
        status: 'firing',
        receiver: 'bridge',
        groupLabels: {},
        commonLabels: { service: 'storm' },
        commonAnnotations: {},
        externalURL: '',
        alerts,
      },
    });
  }
  return { deliveries, expected };
}

export interface Posted {
  /** 0 when the request did not get an HTTP answer at all (refused, reset). */
  readonly status: number;
  readonly ms: number;
}

export async function postDelivery(baseUrl: string, payload: unknown): Promise<Posted> {
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

/** Runs `fn` over `items` with at most `concurrency` at a time, in order of the items. */
export async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}

interface IncidentJson {
  id: string;
  key: string;
  status: string;
  labels: Record<string, string>;
  alerts: { id: string }[];
}

/** Every incident of the storm exists once, with exactly its alerts: none lost, none doubled, none astray. */
export async function expectStormApplied(baseUrl: string, storm: Storm): Promise<void> {
  const res = await fetch(`${baseUrl}/api/incidents?limit=1000`);
  const { incidents } = (await res.json()) as { incidents: IncidentJson[] };
  expect(incidents).toHaveLength(storm.expected.size);
  const byName = new Map(incidents.map((i) => [i.labels.alertname ?? '', i]));
  expect(byName.size).toBe(storm.expected.size);
  for (const [alertname, ids] of storm.expected) {
    const incident = byName.get(alertname);
    expect(incident?.status, alertname).toBe('open');
    const got = incident?.alerts.map((a) => a.id) ?? [];
    expect(got.length, `${alertname} holds each alert once`).toBe(new Set(got).size);
    expect(new Set(got), alertname).toEqual(ids);
  }
}

/** Waits until the deliveries queue under `prefix` has nothing waiting, running or delayed. */
export async function waitForQueueDrain(redisUrl: string, prefix: string, timeoutMs = 30_000): Promise<void> {
  const url = new URL(redisUrl);
  const queue = new Queue(QUEUE_NAMES.deliveries, {
    connection: { host: url.hostname, port: Number(url.port) },
    prefix,
  });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await queue.close();
  }
}
