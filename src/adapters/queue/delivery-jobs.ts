import type { DefaultJobOptions } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { Delivery } from '../../app/ports.js';
import { type AlertEvent, SOURCES, type Source } from '../../domain/model.js';

/**
 * Queue and job names as they are stored in Redis. Never rename one: jobs already queued under the
 * old name would wait forever for a worker that no longer asks for them.
 */
export const QUEUE_NAMES = { deliveries: 'deliveries' } as const;
export const DELIVERY_JOB = 'ingest';

/**
 * The data of one job: one webhook delivery, versioned so a worker can refuse what it cannot read.
 * Version 2, which webhooks write, names the key holding the body as the sender wrote it (already
 * checked against the source's schema): the worker reads it into events, so the thread answering
 * senders neither reads it into events nor escapes it into the job's JSON. Version 1 holds the events
 * themselves (catch-up, and jobs queued by earlier releases).
 */
export type DeliveryJobData =
  | { readonly v: 1; readonly delivery: Delivery }
  | { readonly v: 2; readonly source: Source; readonly receivedAt: string; readonly bodyKey: string };

/** A delivery body waits under `<prefix>:delivery-body:<id>` until its job is done. */
export const deliveryBodyKey = (prefix: string, id: string): string => `${prefix}:delivery-body:${id}`;

/**
 * A body outlives its job only when the job failed for good (kept for a look) or its worker died
 * between the two; this bounds how long. Longer than any backlog: a job must not lose its body.
 */
export const DELIVERY_BODY_TTL_SECONDS = 30 * 86_400;

/** Reads a checked body of a source into events; throws when it is not one after all. */
export type DecodeBody = (source: Source, body: string) => readonly AlertEvent[];

export const deliveryJobOptions: DefaultJobOptions = {
  // A job fails on Redis errors or on an update that kept losing races: both pass, so try again.
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  // Finished deliveries live on in their incidents; keep a few for a look, failures for a week.
  removeOnComplete: { count: 100, age: 3_600 },
  removeOnFail: { count: 1_000, age: 7 * 86_400 },
};

export const toJobData = (delivery: Delivery): DeliveryJobData => ({ v: 1, delivery });

const isSource = (s: unknown): s is Source => SOURCES.includes(s as Source);

/** Where a job's delivery is: in the job (version 1), or under a key (version 2). */
export type DeliveryRef =
  | { readonly kind: 'inline'; readonly delivery: Delivery }
  | { readonly kind: 'body'; readonly source: Source; readonly receivedAt: string; readonly bodyKey: string };

/** Reads a body fetched for a version 2 job into its delivery; one that cannot be read fails for good. */
export function decodeDeliveryBody(
  ref: Extract<DeliveryRef, { kind: 'body' }>,
  body: Buffer | null,
  decode: DecodeBody,
): Delivery {
  if (body === null) throw new UnrecoverableError(`the body of the delivery is gone (${ref.bodyKey})`);
  try {
    return {
      source: ref.source,
      receivedAt: ref.receivedAt,
      events: decode(ref.source, body.toString('utf8')),
    };
  } catch (e) {
    throw new UnrecoverableError(`the body of a ${ref.source} delivery cannot be read: ${String(e)}`);
  }
}

/** Checks the envelope of a job; one it cannot read fails for good (and stays in the failed set). */
export function readDeliveryJob(name: string, data: unknown): DeliveryRef {
  const raw = data as { v?: unknown; source?: unknown; receivedAt?: unknown; bodyKey?: unknown } | null;
  if (name === DELIVERY_JOB && raw?.v === 2) {
    const { source, receivedAt, bodyKey } = raw;
    if (!isSource(source) || typeof receivedAt !== 'string' || typeof bodyKey !== 'string') {
      throw new UnrecoverableError(`not a delivery job this version can read (job ${name})`);
    }
    return { kind: 'body', source, receivedAt, bodyKey };
  }
  const d = data as { v?: unknown; delivery?: unknown } | null;
  const delivery = d?.delivery as Partial<Delivery> | undefined;
  if (
    name !== DELIVERY_JOB ||
    d?.v !== 1 ||
    delivery === undefined ||
    !isSource(delivery.source) ||
    typeof delivery.receivedAt !== 'string' ||
    !Array.isArray(delivery.events)
  ) {
    throw new UnrecoverableError(`not a delivery job this version can read (job ${name})`);
  }
  return { kind: 'inline', delivery: delivery as Delivery };
}
