/**
 * Redis memory per active alert and per incident in production mode, measured with `INFO memory`
 * (used_memory) on a private redis-server before and after loading incidents through the real path
 * (Alertmanager payload schema and mapper, executor, RedisStore), and per queued delivery job.
 *
 *   npx tsx bench/redis-memory.ts                       # 2,000 incidents of 50 alerts (as the storm)
 *   npx tsx bench/redis-memory.ts --incidents 500 --alerts 200
 */
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { silentLogger } from '../src/adapters/logging/winston-logger.js';
import { RawDeliveryQueue } from '../src/adapters/queue/bullmq-intake.js';
import {
  type DeliveryJobData,
  deliveryJobOptions,
  QUEUE_NAMES,
} from '../src/adapters/queue/delivery-jobs.js';
import { closeRedis, connectRedis } from '../src/adapters/redis/redis-connection.js';
import { RedisStore } from '../src/adapters/redis/redis-store.js';
import { mapAlertmanager } from '../src/adapters/sources/alertmanager-mapper.js';
import { alertmanagerPayloadSchema } from '../src/adapters/sources/alertmanager-payload.js';
import { ingestDelivery } from '../src/app/ingest.js';
import type { Delivery, Metrics } from '../src/app/ports.js';
import { DEFAULT_GROUPING } from '../src/domain/grouping.js';
import { buildStorm } from './alert-storm.js';
import { redisInfo, startRedis } from './redis-instance.js';

const { values } = parseArgs({
  options: {
    incidents: { type: 'string', default: '2000' },
    alerts: { type: 'string', default: '50' },
    jobs: { type: 'string', default: '200' },
  },
});
const INCIDENTS = Number(values.incidents);
const ALERTS = Number(values.alerts);
const JOBS = Number(values.jobs);
const PREFIX = 'incident-bridge';
const RECEIVED_AT = '2026-11-22T20:00:00.000Z';
const quietMetrics: Metrics = { alertsReceived() {}, decision() {}, webhookRequest() {} };

/** Alert `a` of incident `i`, shaped like a node_exporter alert routed by Alertmanager. */
function alert(i: number, a: number, status: 'firing' | 'resolved') {
  return {
    status,
    labels: {
      alertname: `HostHighCpuLoad${i}`,
      service: `svc-${i % 40}`,
      instance: `10.${(a >> 8) & 255}.${a & 255}.${i % 250}:9100`,
      job: 'node',
      severity: 'critical',
      team: 'infra',
      env: 'production',
    },
    annotations: {
      summary: `CPU load on 10.${(a >> 8) & 255}.${a & 255}.${i % 250} is above 90%`,
      description: 'The 5-minute load average has been above 90% of the CPU count for 10 minutes.',
      runbook_url: 'https://runbooks.example.com/host-high-cpu-load',
    },
    startsAt: '2026-11-22T19:55:00.000Z',
    endsAt: status === 'resolved' ? '2026-11-22T20:30:00.000Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus-0:9090/graph?g0.expr=node_load5+%3E+0.9&g0.tab=1',
    fingerprint: ((i * 100_000 + a) * 2654435761).toString(16).slice(-16).padStart(16, '0'),
  };
}

/** One delivery of every alert of incidents [from, to), as the Alertmanager webhook would carry them. */
function delivery(from: number, to: number, alerts: number, status: 'firing' | 'resolved'): Delivery {
  const payload = alertmanagerPayloadSchema.parse({
    version: '4',
    groupKey: `{}:{bench="${from}"}`,
    status,
    receiver: 'bridge',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager-0:9093',
    alerts: Array.from({ length: to - from }, (_, k) =>
      Array.from({ length: alerts }, (_, a) => alert(from + k, a, status)),
    ).flat(),
  });
  return { source: 'alertmanager', receivedAt: RECEIVED_AT, events: mapAlertmanager(payload) };
}

async function usedMemory(port: number): Promise<number> {
  return Number((await redisInfo(port, 'memory')).used_memory ?? 0);
}

/** Bytes that `load` adds to Redis, starting from an empty database. */
async function measure(redis: Redis, port: number, load: () => Promise<void>): Promise<number> {
  await redis.flushall();
  const before = await usedMemory(port);
  await load();
  return (await usedMemory(port)) - before;
}

async function loadIncidents(redis: Redis, alerts: number, thenResolve: boolean): Promise<void> {
  const store = new RedisStore(redis, { prefix: PREFIX, retentionMs: 30 * 86_400_000 });
  const deps = { store, grouping: DEFAULT_GROUPING, metrics: quietMetrics, logger: silentLogger };
  // Deliveries of about 100 alerts, a few incidents each, 8 at a time.
  const perDelivery = Math.max(1, Math.floor(100 / alerts));
  const batches: [number, number][] = [];
  for (let from = 0; from < INCIDENTS; from += perDelivery)
    batches.push([from, Math.min(INCIDENTS, from + perDelivery)]);
  for (const status of thenResolve ? (['firing', 'resolved'] as const) : (['firing'] as const)) {
    for (let b = 0; b < batches.length; b += 8) {
      await Promise.all(
        batches.slice(b, b + 8).map(([from, to]) => ingestDelivery(deps, delivery(from, to, alerts, status))),
      );
    }
  }
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const server = await startRedis();
  const port = Number(new URL(server.url).port);
  const redis = await connectRedis({ url: server.url }, 'commands', () => undefined);
  try {
    const one = await measure(redis, port, () => loadIncidents(redis, 1, false));
    const many = await measure(redis, port, () => loadIncidents(redis, ALERTS, false));
    const resolved = await measure(redis, port, () => loadIncidents(redis, ALERTS, true));
    const perAlert = (many - one) / (INCIDENTS * (ALERTS - 1));
    const perIncident = one / INCIDENTS - perAlert;

    const queue = new Queue<DeliveryJobData>(QUEUE_NAMES.deliveries, {
      connection: redis,
      prefix: PREFIX,
      defaultJobOptions: deliveryJobOptions,
    });
    const perJobAlerts = 100;
    // As a webhook queues them: the body as the sender wrote it under its own key, and a job naming it.
    const raw = new RawDeliveryQueue(queue, redis, PREFIX);
    const bodies = buildStorm({ deliveries: JOBS, alertsPerDelivery: perJobAlerts, tag: 'mem' }).bodies;
    const jobs = await measure(redis, port, async () => {
      for (let j = 0; j < JOBS; j++)
        await raw.submitRaw({
          source: 'alertmanager',
          receivedAt: new Date().toISOString(),
          body: bodies[j] as Buffer,
        });
    });
    await queue.close();

    const sample = delivery(0, 1, ALERTS, 'firing').events;
    const alertJson = sample.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0) / sample.length;
    const info = await redisInfo(port, 'server');
    const lines = [
      `redis ${info.redis_version ?? '?'}, ${INCIDENTS} incidents, used_memory deltas from an empty database`,
      `  ${INCIDENTS} incidents x 1 alert:            ${mib(one)}`,
      `  ${INCIDENTS} incidents x ${ALERTS} alerts:          ${mib(many)}  (${Math.round(many / INCIDENTS)} B per incident of ${ALERTS})`,
      `  the same, every alert resolved:     ${mib(resolved)}  (kept RETENTION, then gone)`,
      `  per active alert:                   ${Math.round(perAlert)} B  (its JSON alone: ${Math.round(alertJson)} B)`,
      `  per incident, besides its alerts:   ${Math.round(perIncident)} B`,
      `  per queued delivery of ${perJobAlerts} alerts:     ${Math.round(jobs / JOBS)} B  (${JOBS} jobs waiting)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await closeRedis(redis);
    await server.stop();
  }
}

await main();
