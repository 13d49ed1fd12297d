import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/adapters/queue/delivery-jobs.js';
import { sharedRedisServer, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';

const metric = (text: string, name: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.slice(name.length + 1));
};

describe('queue metrics and the worker in production mode', () => {
  let bridge: TestBridge;
  let queue: Queue;
  beforeAll(async () => {
    bridge = await startTestBridge({ mode: 'redis', env: { REDIS_PREFIX: 'queue-metrics' } });
    queue = new Queue(QUEUE_NAMES.deliveries, {
      connection: { port: (await sharedRedisServer()).port },
      prefix: 'queue-metrics',
    });
  });
  afterAll(async () => {
    await queue.close();
    await bridge.close();
  });
  const scrape = () => fetch(`${bridge.url}/metrics`).then((r) => r.text());

  it('reports the deliveries waiting, the age of the oldest, and the time each took', async () => {
    // Paused, the queue keeps what the webhook hands it: a backlog, as during a storm.
    await queue.pause();
    try {
      for (const name of ['01-firing-single', '04-firing-group-3', '07-firing-critical']) {
        expect((await bridge.post('/webhooks/alertmanager', fixture('alertmanager', name))).status).toBe(202);
      }
      await new Promise((r) => setTimeout(r, 1_100));
      const backlog = await scrape();
      expect(metric(backlog, 'incident_bridge_queue_jobs{state="waiting"}')).toBe(3);
      expect(metric(backlog, 'incident_bridge_queue_oldest_job_age_seconds')).toBeGreaterThanOrEqual(1);
      expect(metric(backlog, 'incident_bridge_job_duration_seconds_count{outcome="completed"}')).toBe(0);
    } finally {
      await queue.resume();
    }
    await bridge.settle();
    const drained = await scrape();
    expect(metric(drained, 'incident_bridge_queue_jobs{state="waiting"}')).toBe(0);
    expect(metric(drained, 'incident_bridge_queue_oldest_job_age_seconds')).toBe(0);
    expect(metric(drained, 'incident_bridge_job_duration_seconds_count{outcome="completed"}')).toBe(3);
    expect((await bridge.get('/api/incidents')).body.incidents).toHaveLength(3);
  });

  it('sets a job it cannot read aside at once, as failed for good', async () => {
    const job = await queue.add('ingest', { v: 99, delivery: { source: 'nagios' } });
    await bridge.settle();
    expect(await job.getState()).toBe('failed');
    expect((await queue.getJob(job.id ?? ''))?.failedReason).toContain('not a delivery job');
    const after = await scrape();
    expect(metric(after, 'incident_bridge_job_failures_total{outcome="gave-up"}')).toBe(1);
    expect(metric(after, 'incident_bridge_job_failures_total{outcome="will-retry"}')).toBe(0);
    expect(metric(after, 'incident_bridge_queue_jobs{state="failed"}')).toBe(1);
  });
});
