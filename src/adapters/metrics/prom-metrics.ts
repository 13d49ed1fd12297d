import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { IncidentStore, Metrics } from '../../app/ports.js';
import { DECISION_REASONS, INCIDENT_STATUSES, SOURCES, type Source } from '../../domain/model.js';

export interface PromMetrics extends Metrics {
  readonly registry: Registry;
}

/** The bridge's metrics on a registry of its own (no global registration), so tests can make many. */
export function createMetrics(store: Pick<IncidentStore, 'countByStatus'>): PromMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const alerts = new Counter({
    name: 'incident_bridge_alerts_received_total',
    help: 'Alerts received in accepted webhook deliveries, by source.',
    labelNames: ['source'],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'incident_bridge_decisions_total',
    help: 'Decisions taken on received alerts, by reason (new-incident, duplicate, stale ...).',
    labelNames: ['reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'incident_bridge_incidents',
    help: 'Incidents held by the bridge, by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await store.countByStatus();
      for (const s of INCIDENT_STATUSES) this.set({ status: s }, counts[s]);
    },
  });
  const webhook = new Histogram({
    name: 'incident_bridge_webhook_request_duration_seconds',
    help: 'Time to answer a webhook delivery, by source and HTTP status code.',
    labelNames: ['source', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Looking a labelled series up costs more than observing into it: one lookup per source and code.
  const webhookChildren = new Map<string, ReturnType<typeof webhook.labels>>();
  const webhookChild = (source: string, code: number) => {
    const id = `${source} ${code}`;
    let child = webhookChildren.get(id);
    if (!child) {
      child = webhook.labels({ source, code: String(code) });
      webhookChildren.set(id, child);
    }
    return child;
  };
  // Make every series visible from the start, so dashboards and alerts see zeros, not gaps.
  for (const s of SOURCES) alerts.inc({ source: s }, 0);
  for (const r of DECISION_REASONS) decisions.inc({ reason: r }, 0);

  return {
    registry,
    alertsReceived: (source: Source, count: number) => alerts.inc({ source }, count),
    decision: (reason) => decisions.inc({ reason }),
    webhookRequest: (source, code, seconds) => webhookChild(source, code).observe(seconds),
  };
}
