import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IncidentStore } from '../../app/ports.js';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../domain/model.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** What the queue metrics read from the queue at scrape time. */
export interface QueueDepthSource {
  counts(): Promise<Record<(typeof STATES)[number], number>>;
  /** Age of the oldest job still waiting; 0 when none waits. */
  oldestWaitingSeconds(now: number): Promise<number>;
}

export type RedisClientRole = 'commands' | 'worker';

/** Figures of production mode: the deliveries queue, its jobs and Redis. */
export interface QueueMetrics {
  jobDuration(outcome: 'completed' | 'failed', seconds: number): void;
  jobFailed(outcome: 'will-retry' | 'gave-up'): void;
  redisError(client: RedisClientRole): void;
}

/** Registers the production-mode metrics on the bridge's registry. */
export function createQueueMetrics(registry: Registry, queue: QueueDepthSource): QueueMetrics {
  const redisErrors = new Counter({
    name: 'incident_bridge_redis_errors_total',
    help: 'Errors from Redis connections (lost connection, refused reconnect, failed command), by client.',
    labelNames: ['client'],
    registers: [registry],
  });
  // While Redis is away the gauges keep their last figures; the error is counted and /readyz says the rest.
  new Gauge({
    name: 'incident_bridge_queue_jobs',
    help: 'Delivery jobs in the queue, by state (one queue shared by every instance).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await queue.counts().catch(() => null);
      if (counts === null) return redisErrors.inc({ client: 'commands' });
      for (const s of STATES) this.set({ state: s }, counts[s]);
    },
  });
  new Gauge({
    name: 'incident_bridge_queue_oldest_job_age_seconds',
    help: 'Age of the oldest delivery job still waiting for a worker; 0 when none waits.',
    registers: [registry],
    async collect() {
      const age = await queue.oldestWaitingSeconds(Date.now()).catch(() => null);
      if (age === null) return redisErrors.inc({ client: 'commands' });
      this.set(age);
    },
  });

  const duration = new Histogram({
    name: 'incident_bridge_job_duration_seconds',
    help: 'Time to carry out one delivery job, by outcome.',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'incident_bridge_job_failures_total',
    help: 'Failed attempts of delivery jobs: will-retry (backoff, then again) or gave-up (left in the failed set).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const c of ['commands', 'worker'] as const) redisErrors.inc({ client: c }, 0);
  for (const o of ['completed', 'failed'] as const) duration.zero({ outcome: o });
  for (const o of ['will-retry', 'gave-up'] as const) failures.inc({ outcome: o }, 0);

  return {
    jobDuration: (outcome, seconds) => duration.observe({ outcome }, seconds),
    jobFailed: (outcome) => failures.inc({ outcome }),
    redisError: (client) => redisErrors.inc({ client }),
  };
}

/**
 * The incident counts behind `incident_bridge_incidents`, or the last ones read while Redis is away:
 * /metrics keeps answering during an outage, when it is needed most.
 */
export function lastKnownCounts(
  store: Pick<IncidentStore, 'countByStatus'>,
): Pick<IncidentStore, 'countByStatus'> {
  let last = Object.fromEntries(INCIDENT_STATUSES.map((s) => [s, 0])) as Record<IncidentStatus, number>;
  return {
    countByStatus: () =>
      store.countByStatus().then(
        (counts) => {
          last = counts;
          return counts;
        },
        () => last,
      ),
  };
}
