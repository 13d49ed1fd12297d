import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { alertStorm, expectStormApplied, inBatches, postDelivery } from './redis-storm.js';

describe('two bridge instances on one Redis', () => {
  let a: TestBridge;
  let b: TestBridge;
  beforeAll(async () => {
    // Same Redis, same prefix: one queue and one state, as two replicas behind a load balancer.
    const env = { REDIS_PREFIX: 'two-instances', WORKER_CONCURRENCY: '8' };
    // One carries deliveries out on its main thread (the default), the other in an ingest thread.
    a = await startTestBridge({ mode: 'redis', env });
    b = await startTestBridge({ mode: 'redis', env: { ...env, INGEST_THREADS: '1' } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('turns one storm split between them into exactly 50 incidents, each with exactly its alerts', async () => {
    const storm = alertStorm({ alerts: 2_000, deliveries: 200, incidents: 50 });
    const answers: number[] = [];
    await inBatches(storm.deliveries, 16, async (d) => {
      // Every other delivery goes to both at once (an HA pair of Alertmanagers); the rest alternate.
      const targets = d.index % 2 === 0 ? [a, b] : [d.index % 4 === 1 ? a : b];
      const posted = await Promise.all(targets.map((t) => postDelivery(t.url, d.payload)));
      answers.push(...posted.map((p) => p.status));
    });
    expect(answers).toHaveLength(300);
    expect(answers.every((s) => s === 202)).toBe(true);

    await Promise.all([a.settle(), b.settle()]);
    await expectStormApplied(a.url, storm);
    await expectStormApplied(b.url, storm);
    const metrics = await fetch(`${b.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('incident_bridge_incidents{status="open"} 50');
    expect(metrics).toContain('incident_bridge_queue_jobs{state="waiting"} 0');
    expect(metrics).toContain('incident_bridge_job_failures_total{outcome="gave-up"} 0');
  });
});
