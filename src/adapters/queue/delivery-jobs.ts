import type { DefaultJobOptions } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { Delivery } from '../../app/ports.js';
import { SOURCES } from '../../domain/model.js';

/**
 * Queue and job names as they are stored in Redis. Never rename one: jobs already queued under the
 * old name would wait forever for a worker that no longer asks for them.
 */
export const QUEUE_NAMES = { deliveries: 'deliveries' } as const;
export const DELIVERY_JOB = 'ingest';

/** The data of one job: one webhook delivery, versioned so a worker can refuse what it cannot read. */
export interface DeliveryJobData {
  readonly v: 1;
  readonly delivery: Delivery;
}

export const deliveryJobOptions: DefaultJobOptions = {
  // A job fails on Redis errors or on an update that kept losing races: both pass, so try again.
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  // Finished deliveries live on in their incidents; keep a few for a look, failures for a week.
  removeOnComplete: { count: 100, age: 3_600 },
  removeOnFail: { count: 1_000, age: 7 * 86_400 },
};

export const toJobData = (delivery: Delivery): DeliveryJobData => ({ v: 1, delivery });

/** Checks the envelope of a job; one it cannot read fails for good (and stays in the failed set). */
export function readDeliveryJob(name: string, data: unknown): Delivery {
  const d = data as Partial<DeliveryJobData> | null;
  const delivery = d?.delivery as Partial<Delivery> | undefined;
  if (
    name !== DELIVERY_JOB ||
    d?.v !== 1 ||
    delivery === undefined ||
    !SOURCES.includes(delivery.source as (typeof SOURCES)[number]) ||
    typeof delivery.receivedAt !== 'string' ||
    !Array.isArray(delivery.events)
  ) {
    throw new UnrecoverableError(`not a delivery job this version can read (job ${name})`);
  }
  return delivery as Delivery;
}
