import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Executor } from '../../app/commands.js';
import type { Command, CommandResult, Intake } from '../../app/ports.js';
import type { RawDelivery, RawDeliveryIntake } from '../http/webhook-route.js';
import type { QueueDepthSource } from '../metrics/queue-metrics.js';
import {
  DELIVERY_BODY_TTL_SECONDS,
  DELIVERY_JOB,
  type DeliveryJobData,
  deliveryBodyKey,
  toJobData,
} from './delivery-jobs.js';

const UNFINISHED = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Webhook deliveries as the senders wrote them: the body goes to its own key as bytes, the job names
 * it, and a worker reads it into events. A body whose job could not be added is never read and expires.
 *
 * Body and job are sent together, without waiting for the body's answer first: on one connection
 * Redis carries out commands in the order they were sent, so no worker can find the job before its
 * body; and the two then cost Redis one wake-up and one append to its file, and the bridge one answer
 * to read. Measured with replays of the bench's latency pass, seven interleaved pairs: the bridge used
 * 0.75-0.92 CPU-seconds against 0.82-0.93 when it waited, Redis 0.22-0.27 against 0.25-0.30. When the
 * queue has a connection of its own, the body is stored first.
 */
export class RawDeliveryQueue implements RawDeliveryIntake {
  private readonly oneConnection: boolean;

  constructor(
    private readonly queue: Queue<DeliveryJobData>,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.oneConnection = queue.opts.connection === redis;
  }

  async submitRaw(delivery: RawDelivery): Promise<void> {
    const { source, receivedAt } = delivery;
    // The text when the webhook decoded it: the same bytes in Redis, for less of this thread's time
    // (ioredis copies a buffer into one of its own before writing it; 1,100 bodies of the bench took
    // 41-59 ms of CPU as text against 59-65 ms as buffers, a throwaway script).
    const body = delivery.text ?? delivery.body;
    const bodyKey = deliveryBodyKey(this.prefix, randomUUID());
    const data: DeliveryJobData = { v: 2, source, receivedAt, bodyKey };
    if (!this.oneConnection) {
      await this.redis.set(bodyKey, body, 'EX', DELIVERY_BODY_TTL_SECONDS);
      await this.queue.add(DELIVERY_JOB, data);
      return;
    }
    const [stored, added] = await Promise.allSettled([
      this.redis.set(bodyKey, body, 'EX', DELIVERY_BODY_TTL_SECONDS),
      this.queue.add(DELIVERY_JOB, data),
    ]);
    if (stored.status === 'rejected') {
      // The sender is told to try again; a job without its body is taken back if it still can be (a
      // worker that took it already fails it for good, and nothing was lost: it got no 202).
      if (added.status === 'fulfilled') await added.value.remove().catch(() => undefined);
      throw stored.reason;
    }
    if (added.status === 'rejected') throw added.reason;
  }
}

/**
 * The production intake: a delivery is one BullMQ job, and `submit` resolves once Redis holds it,
 * so the webhook's 202 means "durably queued". Workers of any instance carry it out. Acknowledging
 * and closing an incident go straight to the store: Redis is as durable as the queue.
 */
export class BullmqIntake implements Intake, RawDeliveryIntake, QueueDepthSource {
  constructor(
    private readonly queue: Queue<DeliveryJobData>,
    private readonly redis: Redis,
    private readonly execute: Executor,
    prefix: string,
  ) {
    this.raw = new RawDeliveryQueue(queue, redis, prefix);
  }

  private readonly raw: RawDeliveryQueue;

  async submit(command: Command): Promise<CommandResult> {
    if (command.type !== 'ingest') return this.execute(command);
    await this.queue.add(DELIVERY_JOB, toJobData(command.delivery));
    return { type: 'queued' };
  }

  /** A webhook delivery as the sender wrote it: see `RawDeliveryQueue`. */
  submitRaw(delivery: RawDelivery): Promise<void> {
    this.deliveries++;
    return this.raw.submitRaw(delivery);
  }

  /** Webhook deliveries handed to this intake so far (a counter, for pacing the workers). */
  deliveriesTaken(): number {
    return this.deliveries;
  }

  private deliveries = 0;

  async ready(): Promise<boolean> {
    return this.redis.status === 'ready' && (await this.redis.ping().catch(() => null)) === 'PONG';
  }

  /** Resolves once no delivery waits or runs in the queue, whichever instance added or runs it. */
  async idle(): Promise<void> {
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      const counts = await this.queue.getJobCounts(...UNFINISHED);
      if (Object.values(counts).every((n) => n === 0)) return;
      await sleep(wait);
    }
  }

  /** Jobs by state, for the queue metrics. */
  async counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number }> {
    const c = await this.queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed');
    return {
      waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  async oldestWaitingSeconds(now: number): Promise<number> {
    const [oldest] = await this.queue.getJobs(['wait'], 0, 0, true);
    return oldest ? Math.max(0, (now - oldest.timestamp) / 1000) : 0;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
