import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_JOB, QUEUE_NAMES, toJobData } from '../../src/adapters/queue/delivery-jobs.js';
import { type PacedDeliveryWorker, startDeliveryWorker } from '../../src/adapters/queue/delivery-worker.js';
import { decodeWebhookBody } from '../../src/adapters/sources/webhook-sources.js';
import type { Command, CommandResult, Logger } from '../../src/app/ports.js';
import { sharedRedisServer } from '../helpers/bridge-harness.js';
import { until } from '../helpers/until.js';

const PREFIX = 'worker-hold';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const noMetrics = { jobDuration() {}, jobFailed() {}, redisError() {} };

/** Deliveries told apart by their receipt time; the executor records the ones it carries out. */
const delivery = (n: number) => ({
  source: 'zabbix' as const,
  receivedAt: new Date(Date.UTC(2026, 10, 23, 0, 0, n)).toISOString(),
  events: [],
});

describe('a held delivery worker (senders first), on a real redis-server', () => {
  let queue: Queue;
  let redis: Redis;
  let worker: PacedDeliveryWorker;
  const carriedOut: string[] = [];

  beforeAll(async () => {
    const { port } = await sharedRedisServer();
    queue = new Queue(QUEUE_NAMES.deliveries, { connection: { port }, prefix: PREFIX });
    redis = new Redis({ port });
    worker = startDeliveryWorker({
      connection: { port, maxRetriesPerRequest: null },
      prefix: PREFIX,
      concurrency: 4,
      lockDurationMs: 30_000,
      execute: async (command: Command): Promise<CommandResult> => {
        if (command.type === 'ingest') carriedOut.push(command.delivery.receivedAt);
        return { type: 'queued' };
      },
      decode: decodeWebhookBody,
      bodies: redis,
      metrics: noMetrics,
      logger: quiet,
    });
  });
  afterAll(async () => {
    await worker.close(5_000);
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  it('runs a delivery while not held', async () => {
    await queue.add(DELIVERY_JOB, toJobData(delivery(0)));
    await until(() => (carriedOut.length === 1 ? true : null), 'the first delivery carried out');
  });

  it('carries out nothing while held, not even what it had fetched, and all of it once resumed', async () => {
    const before = carriedOut.length;
    // Held while it waits for work: the fetch it has under way may still bring a job in.
    worker.hold();
    for (let n = 1; n <= 6; n++) await queue.add(DELIVERY_JOB, toJobData(delivery(n)));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(carriedOut.length).toBe(before);
    // Nothing was lost or failed: the jobs wait (in the queue, or fetched and waiting to begin).
    const counts = await queue.getJobCounts('wait', 'active', 'failed', 'completed');
    expect(counts.failed).toBe(0);
    expect((counts.wait ?? 0) + (counts.active ?? 0)).toBe(6);

    worker.resume();
    await until(
      () => (carriedOut.length === before + 6 ? true : null),
      'the six held deliveries carried out',
    );
    expect(carriedOut.slice(before).sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => delivery(n).receivedAt).sort(),
    );
  });
});
