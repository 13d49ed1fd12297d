import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';

describe('production mode behind Redis Sentinel', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let sentinel: RedisServer;
  let bridge: TestBridge;
  beforeAll(async () => {
    master = await startRedisServer();
    replica = await startRedisServer({ replicaOf: master.port });
    sentinel = await startRedisServer({ sentinelFor: { name: 'incidents', port: master.port } });
    bridge = await startTestBridge({
      mode: 'redis',
      // With Sentinel the URL's host means nothing (this one does not resolve): Sentinel names the master.
      redisUrl: 'redis://master.invalid:6379/0',
      env: {
        REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
        REDIS_SENTINEL_MASTER: 'incidents',
        REDIS_PREFIX: 'via-sentinel',
      },
    });
  });
  afterAll(async () => {
    await bridge.close();
    await sentinel.remove();
    await replica.remove();
    await master.remove();
  });

  it('finds the master through Sentinel and keeps incidents there', async () => {
    expect((await bridge.get('/readyz')).status).toBe(200);
    const r = await bridge.post('/webhooks/alertmanager', fixture('alertmanager', '04-firing-group-3'));
    expect(r.status).toBe(202);
    await bridge.settle();
    const incidents = (await bridge.get('/api/incidents')).body.incidents as { id: string }[];
    expect(incidents).toHaveLength(1);

    const direct = new Redis(master.url);
    try {
      const id = incidents[0]?.id;
      const stored = JSON.parse((await direct.get(`via-sentinel:incident:${id}`)) ?? '{}');
      expect(stored.alertIds).toHaveLength(3);
      expect(await direct.hlen(`via-sentinel:incident-alerts:${id}`)).toBe(3);
    } finally {
      direct.disconnect();
    }
  });

  it('carries on with the promoted replica when the master dies', async () => {
    const direct = new Redis(master.url);
    // Replication is asynchronous: wait until the replica has what was written so far.
    await direct.wait(1, 5_000);
    direct.disconnect();
    await master.stop('SIGKILL');

    const deadline = Date.now() + 20_000;
    while ((await bridge.get('/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('no master after failover');
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await bridge.post('/webhooks/alertmanager', fixture('alertmanager', '07-firing-critical'));
    expect(r.status).toBe(202);
    await bridge.settle();
    const incidents = (await bridge.get('/api/incidents')).body.incidents as { alerts: unknown[] }[];
    expect(incidents.map((i) => i.alerts.length).sort()).toEqual([1, 3]);
    const promoted = new Redis(replica.url);
    try {
      expect(await promoted.call('ROLE')).toContain('master');
    } finally {
      promoted.disconnect();
    }
  });
});
