import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { RawDeliveryQueue } from '../../src/adapters/queue/bullmq-intake.js';
import type { DeliveryJobData } from '../../src/adapters/queue/delivery-jobs.js';

/**
 * Body and job go to Redis together; these are the outcomes a real Redis rarely gives on demand (one of
 * the two refused). The order of the two on one connection is checked against a real redis-server in
 * tests/integration/redis-delivery-bodies.test.ts.
 */

const delivery = {
  source: 'alertmanager' as const,
  receivedAt: '2026-11-22T20:00:00.000Z',
  body: Buffer.from('{}'),
};

function fakes(set: () => Promise<unknown>, add: () => Promise<unknown>, shared = true) {
  const redis = { set: vi.fn(set) };
  const queue = { opts: { connection: shared ? redis : {} }, add: vi.fn(add) };
  const intake = new RawDeliveryQueue(
    queue as unknown as Queue<DeliveryJobData>,
    redis as unknown as Redis,
    'p',
  );
  return { intake, redis, queue };
}

describe('RawDeliveryQueue', () => {
  it('sends the job without waiting for the body when both share a connection, and resolves once both hold', async () => {
    let storeBody: (v: unknown) => void = () => undefined;
    const { intake, queue } = fakes(
      () => new Promise((ok) => (storeBody = ok)),
      async () => ({ remove: vi.fn() }),
    );
    let done = false;
    const submitted = intake.submitRaw(delivery).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(queue.add).toHaveBeenCalledOnce();
    expect(done).toBe(false);
    storeBody('OK');
    await submitted;
    expect(done).toBe(true);
    const [, data] = queue.add.mock.calls[0] as unknown as [string, { bodyKey: string }];
    expect(data.bodyKey).toMatch(/^p:delivery-body:/);
  });

  it('refuses the delivery and takes the job back when the body was not stored', async () => {
    const remove = vi.fn(async () => undefined);
    const { intake } = fakes(
      async () => {
        throw new Error('OOM command not allowed');
      },
      async () => ({ remove }),
    );
    await expect(intake.submitRaw(delivery)).rejects.toThrow('OOM');
    expect(remove).toHaveBeenCalledOnce();
  });

  it('refuses the delivery when the job was not added', async () => {
    const { intake } = fakes(
      async () => 'OK',
      async () => {
        throw new Error('Connection is closed');
      },
    );
    await expect(intake.submitRaw(delivery)).rejects.toThrow('Connection is closed');
  });

  it('stores the text the webhook decoded when there is one, else the bytes', async () => {
    const { intake, redis } = fakes(
      async () => 'OK',
      async () => ({ remove: vi.fn() }),
    );
    await intake.submitRaw({ ...delivery, text: '{}' });
    await intake.submitRaw(delivery);
    const stored = redis.set.mock.calls.map((call) => (call as unknown[])[1]);
    expect(stored).toEqual(['{}', delivery.body]);
  });

  it('stores the body first when the queue has a connection of its own', async () => {
    const { intake, queue } = fakes(
      () => new Promise(() => undefined),
      async () => ({ remove: vi.fn() }),
      false,
    );
    void intake.submitRaw(delivery);
    await new Promise((r) => setImmediate(r));
    expect(queue.add).not.toHaveBeenCalled();
  });
});
