import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { alertStorm, expectStormApplied, inBatches, type Posted, postDelivery } from './redis-storm.js';

const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('Redis stopped in the middle of a storm', () => {
  let redis: RedisServer;
  let bridge: TestBridge;
  beforeAll(async () => {
    // fsync before every answer: a 202 then means "on disk", even if Redis is killed the next instant.
    redis = await startRedisServer({ appendfsync: 'always' });
    bridge = await startTestBridge({
      mode: 'redis',
      redisUrl: redis.url,
      env: { REDIS_PREFIX: 'outage', WORKER_LOCK_DURATION: '2s', SHUTDOWN_TIMEOUT: '5s' },
    });
  });
  afterAll(async () => {
    await bridge.close();
    await redis.remove();
  });

  it('answers 503 at once while Redis is down, and keeps every alert that got a 202 across its restart', async () => {
    const storm = alertStorm({ alerts: 2_000, deliveries: 200, incidents: 50 });
    const answers = new Map<number, Posted>();
    let accepted = 0;
    let killed: Promise<void> | null = null;
    await inBatches(storm.deliveries, 8, async (d) => {
      if (killed) await killed;
      const posted = await postDelivery(bridge.url, d.payload);
      answers.set(d.index, posted);
      if (posted.status === 202) accepted += 1;
      if (accepted === 60 && killed === null) killed = redis.stop('SIGKILL');
    });

    const refused = [...answers.values()].filter((p) => p.status !== 202);
    expect(accepted).toBeGreaterThanOrEqual(60);
    expect(refused.length).toBeGreaterThan(100);
    expect(refused.every((p) => p.status === 503)).toBe(true);
    // Failing fast: the sender hears "try again" without waiting for Redis.
    const slowest = Math.max(...refused.map((p) => p.ms));
    expect(slowest).toBeLessThan(2_000);
    expect((await bridge.get('/readyz')).status).toBe(503);
    const down = await fetch(`${bridge.url}/metrics`).then((r) => r.text());
    expect(down).toMatch(/incident_bridge_redis_errors_total\{client="commands"\} [1-9]/);

    await redis.restart();
    await waitUntil('the bridge to be ready again', async () => (await bridge.get('/readyz')).status === 200);
    // The senders try again what was refused; what got a 202 is not sent again.
    for (const d of storm.deliveries) {
      if (answers.get(d.index)?.status === 202) continue;
      expect((await postDelivery(bridge.url, d.payload)).status).toBe(202);
    }
    await bridge.settle();
    await expectStormApplied(bridge.url, storm);
  });
});
