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
 */
export class RawDeliveryQueue implements RawDeliveryIntake {
  constructor(
    private readonly queue: Queue<DeliveryJobData>,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async submitRaw(delivery: RawDelivery): Promise<void> {
    const { source, receivedAt, body } = delivery;
    const bodyKey = deliveryBodyKey(this.prefix, randomUUID());
    await this.redis.set(bodyKey, body, 'EX', DELIVERY_BODY_TTL_SECONDS);
    await this.queue.add(DELIVERY_JOB, { v: 2, source, receivedAt, bodyKey });
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
