import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_JOB, QUEUE_NAMES } from '../../src/adapters/queue/delivery-jobs.js';
import { sharedRedisServer, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';

const PREFIX = 'delivery-bodies';

/** A captured Alertmanager body as the sender wrote it, byte for byte (indentation and all). */
const capturedBody = (name: string): string =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'alertmanager', `${name}.json`), 'utf8');

interface IncidentJson {
  id: string;
  revision: number;
  alerts: { id: string }[];
}

describe('webhook bodies queued under their own key in production mode', () => {
  let bridge: TestBridge;
  let queue: Queue;
  let redis: Redis;
  beforeAll(async () => {
    bridge = await startTestBridge({ mode: 'redis', env: { REDIS_PREFIX: PREFIX } });
    const { port } = await sharedRedisServer();
    queue = new Queue(QUEUE_NAMES.deliveries, { connection: { port }, prefix: PREFIX });
    redis = new Redis({ port });
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await bridge.close();
  });

  /** Every body key of this bridge still in Redis. */
  async function bodyKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}:delivery-body:*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  }
  const incidents = async (): Promise<IncidentJson[]> =>
    (await bridge.get('/api/incidents?limit=1000')).body.incidents as IncidentJson[];
  /** What a delivery would change (the SLA's remaining time changes by itself). */
  const summary = async () =>
    (await incidents()).map((i) => ({ id: i.id, revision: i.revision, alerts: i.alerts.map((a) => a.id) }));
  const alertIds = async (): Promise<string[]> =>
    (await incidents()).flatMap((i) => i.alerts.map((a) => a.id));

  /** Runs `fn` with the queue paused, so whatever the webhook queues stays there to be looked at. */
  async function paused<T>(fn: () => Promise<T>): Promise<T> {
    await queue.pause();
    try {
      return await fn();
    } finally {
      await queue.resume();
    }
  }

  it('carries out a delivery and then deletes its body', async () => {
    const r = await bridge.post('/webhooks/alertmanager', capturedBody('01-firing-single'));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toEqual({ accepted: 1 });
    await bridge.settle();
    expect(await alertIds()).toContain('am:2091e9fd2a63291e');
    expect(await bodyKeys()).toEqual([]);
  });

  it('keeps the body as posted under one key, named by a version 2 job, until the job is done', async () => {
    const posted = capturedBody('07-firing-critical');
    const before = Date.now();
    const { bodyKey } = await paused(async () => {
      const r = await bridge.post('/webhooks/alertmanager', posted);
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const after = Date.now();

      const keys = await bodyKeys();
      expect(keys).toHaveLength(1);
      const stored = await redis.getBuffer(keys[0] ?? '');
      expect(stored?.equals(Buffer.from(posted, 'utf8'))).toBe(true);
      // Kept for a bounded time only, should its job never take it.
      expect(await redis.ttl(keys[0] ?? '')).toBeGreaterThan(0);

      const waiting = await queue.getWaiting();
      expect(waiting).toHaveLength(1);
      const [job] = waiting;
      expect(job?.name).toBe(DELIVERY_JOB);
      const data = job?.data as { v: number; source: string; receivedAt: string; bodyKey: string };
      expect(Object.keys(data).sort()).toEqual(['bodyKey', 'receivedAt', 'source', 'v']);
      expect(data).toMatchObject({ v: 2, source: 'alertmanager', bodyKey: keys[0] });
      expect(new Date(data.receivedAt).toISOString()).toBe(data.receivedAt);
      expect(Date.parse(data.receivedAt)).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(data.receivedAt)).toBeLessThanOrEqual(after + 1);
      // Nothing was read into events yet.
      expect(await alertIds()).not.toContain('am:b9548d306104d853');
      return data;
    });
    await bridge.settle();
    expect(await alertIds()).toContain('am:b9548d306104d853');
    expect(await redis.exists(bodyKey)).toBe(0);
    expect(await bodyKeys()).toEqual([]);
  });

  it('stores a body of many scripts byte for byte, though the webhook hands it on as the text it checked', async () => {
    const doc = JSON.parse(capturedBody('01-firing-single')) as {
      alerts: { annotations: Record<string, string> }[];
    };
    const first = doc.alerts[0];
    if (!first) throw new Error('fixture without an alert');
    first.annotations.summary = 'Störung in München: 温度 > 90 °C 🔥 (ﬁx ✓)';
    const posted = JSON.stringify(doc, null, 1);
    await paused(async () => {
      const r = await bridge.post('/webhooks/alertmanager', posted);
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const [key] = await bodyKeys();
      const stored = await redis.getBuffer(key ?? '');
      expect(stored?.equals(Buffer.from(posted, 'utf8'))).toBe(true);
    });
    await bridge.settle();
    expect(await bodyKeys()).toEqual([]);
  });

  it('sends the body before its job, on the one connection, so no worker finds a job without its body', async () => {
    const monitor = await redis.monitor();
    const seen: { command: string; client: string }[] = [];
    monitor.on('monitor', (_time: string, args: string[], client: string) => {
      const [name = '', key = ''] = args;
      const command = name.toLowerCase();
      if (command === 'set' && key.startsWith(`${PREFIX}:delivery-body:`))
        seen.push({ command: 'set-body', client });
      else if (command === 'evalsha' || command === 'eval') seen.push({ command: 'script', client });
    });
    await paused(async () => {
      const r = await bridge.post('/webhooks/alertmanager', capturedBody('02-firing-repeat'));
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(await queue.getWaiting()).toHaveLength(1);
    });
    monitor.disconnect();
    const set = seen.findIndex((c) => c.command === 'set-body');
    expect(set, JSON.stringify(seen)).toBeGreaterThanOrEqual(0);
    // The next script on that connection is the one adding the job.
    const next = seen.slice(set + 1).find((c) => c.client === seen[set]?.client);
    expect(next?.command, JSON.stringify(seen)).toBe('script');
    await bridge.settle();
  });

  /** A version 2 job for `bodyKey` that may be tried 3 times, once the bridge is done with it (failed). */
  const failedBodyJob = async (bodyKey: string) => {
    const job = await queue.add(
      DELIVERY_JOB,
      { v: 2, source: 'alertmanager', receivedAt: new Date().toISOString(), bodyKey },
      { attempts: 3, backoff: { type: 'fixed', delay: 10 } },
    );
    await bridge.settle();
    expect(await job.getState()).toBe('failed');
    return queue.getJob(job.id ?? '');
  };

  it('fails a version 2 job whose body is gone for good, creating no incident', async () => {
    const before = await summary();
    const bodyKey = `${PREFIX}:delivery-body:never-written`;
    const failed = await failedBodyJob(bodyKey);
    expect(failed?.failedReason).toContain('gone');
    expect(failed?.failedReason).toContain(bodyKey);
    // Not retried: no later attempt could find it.
    expect(failed?.attemptsMade).toBe(1);
    expect(await summary()).toEqual(before);
  });

  it('fails a version 2 job whose body cannot be read for good, keeping the body for a look', async () => {
    const before = await summary();
    const bodyKey = `${PREFIX}:delivery-body:not-a-payload`;
    await redis.set(bodyKey, '{"version":"4","alerts":', 'EX', 600);
    try {
      const failed = await failedBodyJob(bodyKey);
      expect(failed?.failedReason).toContain('cannot be read');
      expect(failed?.attemptsMade).toBe(1);
      expect(await redis.exists(bodyKey)).toBe(1);
      expect(await summary()).toEqual(before);
    } finally {
      await redis.del(bodyKey);
    }
  });

  it('answers 415 to JSON in another charset and queues nothing', async () => {
    const keysBefore = await bodyKeys();
    await paused(async () => {
      const r = await bridge.post('/webhooks/alertmanager', capturedBody('08-pushed-single'), {
        'content-type': 'application/json; charset=iso-8859-1',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(415);
      expect(String(r.body.message)).toContain('iso-8859-1');
      expect(await queue.getWaiting()).toEqual([]);
      expect(await bodyKeys()).toEqual(keysBefore);
    });
    await bridge.settle();
    expect(await alertIds()).not.toContain('am:3deab41b8a2ed84e');
  });

  it('answers 400 naming the field to a body failing the schema, and writes no body', async () => {
    const keysBefore = await bodyKeys();
    const payload = JSON.parse(capturedBody('08-pushed-single')) as {
      alerts: { labels: Record<string, unknown> }[];
    };
    const [alert] = payload.alerts;
    if (alert) alert.labels.severity = 3;
    await paused(async () => {
      const r = await bridge.post('/webhooks/alertmanager', payload);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(String(r.body.message)).toContain('alerts.0.labels.severity');
      expect(r.body.details).toEqual([
        { path: 'alerts.0.labels.severity', message: 'expected string, received number' },
      ]);
      expect(await queue.getWaiting()).toEqual([]);
      expect(await bodyKeys()).toEqual(keysBefore);
    });
    await bridge.settle();
    expect(await alertIds()).not.toContain('am:3deab41b8a2ed84e');
  });
});
