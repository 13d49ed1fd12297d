import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IncidentStore } from '../../app/ports.js';
import type { ServiceMetrics } from '../../app/service-metrics-sink.js';
import { PRIORITIES, SOURCES } from '../../domain/model.js';
import type { PriorityKey } from '../../domain/service-report.js';

/** From a minute to a week: the range service reviews talk about. */
const DURATION_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200, 604_800];
const PRIORITY_KEYS: readonly PriorityKey[] = [...PRIORITIES, 'none'];

/**
 * Incidents opened, reopened and resolved by source and priority, time to acknowledge and to resolve,
 * SLA warnings and breaches, and open incidents by priority (read from the store at scrape time).
 */
export function createServiceMetrics(
  registry: Registry,
  store: Pick<IncidentStore, 'countActiveByPriority'>,
): ServiceMetrics {
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['source', 'priority'], registers: [registry] });
  const opened = counter(
    'incident_bridge_incidents_opened_total',
    'Incidents opened, by the source that raised them and their priority.',
  );
  const reopened = counter(
    'incident_bridge_incidents_reopened_total',
    'Incidents reopened, by source and priority.',
  );
  const resolved = counter(
    'incident_bridge_incidents_resolved_total',
    'Incidents resolved, by source and priority.',
  );
  const histogram = (name: string, help: string) =>
    new Histogram({
      name,
      help,
      labelNames: ['source', 'priority'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  const toAck = histogram(
    'incident_bridge_time_to_acknowledge_seconds',
    'From an incident opening to its acknowledgement, by source and priority.',
  );
  const toResolve = histogram(
    'incident_bridge_time_to_resolve_seconds',
    'From an incident opening to its resolve (each resolve of a reopened incident counts), by source and priority.',
  );
  const warnings = new Counter({
    name: 'incident_bridge_sla_warnings_total',
    help: 'Incidents that used 75% of their resolution time while open, by priority.',
    labelNames: ['priority'],
    registers: [registry],
  });
  const breaches = new Counter({
    name: 'incident_bridge_sla_breaches_total',
    help: 'Incidents still open when their resolution was due, by priority.',
    labelNames: ['priority'],
    registers: [registry],
  });
  new Gauge({
    name: 'incident_bridge_open_incidents',
    help: 'Open or acknowledged incidents, by priority.',
    labelNames: ['priority'],
    registers: [registry],
    async collect() {
      let counts: Record<PriorityKey, number>;
      try {
        counts = await store.countActiveByPriority();
      } catch {
        // The store is away (Redis down): keep the last values, so /metrics still answers.
        return;
      }
      for (const priority of PRIORITY_KEYS) this.set({ priority }, counts[priority]);
    },
  });
  // Every series from the start, so dashboards and alerts see zeros, not gaps.
  for (const source of SOURCES) {
    for (const priority of PRIORITIES)
      for (const c of [opened, reopened, resolved]) c.inc({ source, priority }, 0);
  }
  for (const priority of PRIORITIES) {
    warnings.inc({ priority }, 0);
    breaches.inc({ priority }, 0);
  }
  return {
    opened: (source, priority) => opened.inc({ source, priority }),
    reopened: (source, priority) => reopened.inc({ source, priority }),
    acknowledged: (source, priority, seconds) => toAck.observe({ source, priority }, seconds),
    resolved(source, priority, seconds) {
      resolved.inc({ source, priority });
      toResolve.observe({ source, priority }, seconds);
    },
    slaMarked: (mark, priority) => (mark === 'breach' ? breaches : warnings).inc({ priority }),
  };
}
