import { createHash } from 'node:crypto';

/** Alerts each incident of the storm ends up with. */
export const ALERTS_PER_INCIDENT = 50;
/** Alerts of one incident carried side by side in a delivery; an incident's alerts span several deliveries. */
const ALERTS_PER_SLICE = 10;
/** Distinct `alertname`s; `service` takes the rest of the incident number. */
const ALERT_NAMES = 40;

export interface StormShape {
  readonly deliveries: number;
  readonly alertsPerDelivery: number;
  /** Tells storms apart, so two passes against one store would not see each other's alerts. */
  readonly tag: string;
}

export interface Storm {
  /** Request bodies in sending order; every tenth delivery appears twice, right after itself, as from an HA pair. */
  readonly bodies: readonly Buffer[];
  /** Alerts in each body, same order. */
  readonly alertsPerBody: readonly number[];
  readonly uniqueAlerts: number;
  /** Alerts over all requests, duplicates included: the decisions the bridge takes. */
  readonly sentAlerts: number;
  readonly incidents: number;
  readonly bytes: number;
}

interface StormAlert {
  readonly incident: number;
  readonly member: number;
}

/**
 * Alert `i` of the storm falls in slice `floor(i / 10)`; slices are dealt to the incidents in turn,
 * so a delivery of 100 alerts touches 10 incidents with 10 alerts each, and each incident receives its
 * 50 alerts in 5 deliveries far apart in the storm. The group labels are `alertname` and `service`,
 * the bridge's default `group_by`.
 */
function stormAlert(i: number, incidents: number): StormAlert {
  const slice = Math.floor(i / ALERTS_PER_SLICE);
  const incident = slice % incidents;
  const member = Math.floor(slice / incidents) * ALERTS_PER_SLICE + (i % ALERTS_PER_SLICE);
  return { incident, member };
}

function fingerprint(labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u00ff${labels[k]}\u00ff`)
    .join('');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function alertmanagerAlert(a: StormAlert, tag: string, startsAt: string) {
  const alertname = `Bench${tag}Alert${a.incident % ALERT_NAMES}`;
  const service = `svc-${Math.floor(a.incident / ALERT_NAMES)}`;
  const labels = {
    alertname,
    service,
    instance: `host-${a.member}.${service}.example:9100`,
    job: 'node',
    severity: a.incident % 7 === 0 ? 'critical' : 'warning',
  };
  return {
    status: 'firing',
    labels,
    annotations: {
      summary: `${alertname} on ${labels.instance}`,
      description: `Benchmark alert ${a.member} of incident ${a.incident}: value crossed the threshold.`,
      runbook_url: 'https://example.invalid/runbooks/bench',
    },
    startsAt,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `http://prometheus.example:9090/graph?g0.expr=bench_value%7Bincident%3D%22${a.incident}%22%7D`,
    fingerprint: fingerprint(labels),
  };
}

/** Alertmanager webhook deliveries (payload version 4), serialised once so that sending costs little. */
export function buildStorm(shape: StormShape): Storm {
  const uniqueAlerts = shape.deliveries * shape.alertsPerDelivery;
  const incidents = Math.max(1, Math.round(uniqueAlerts / ALERTS_PER_INCIDENT));
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const bodies: Buffer[] = [];
  const alertsPerBody: number[] = [];
  for (let d = 0; d < shape.deliveries; d++) {
    const alerts = [];
    for (let j = 0; j < shape.alertsPerDelivery; j++) {
      alerts.push(
        alertmanagerAlert(stormAlert(d * shape.alertsPerDelivery + j, incidents), shape.tag, startsAt),
      );
    }
    const body = Buffer.from(
      JSON.stringify({
        version: '4',
        groupKey: `{}:{bench="${shape.tag}",delivery="${d}"}`,
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'incident-bridge',
        groupLabels: { job: 'node' },
        commonLabels: { job: 'node' },
        commonAnnotations: {},
        externalURL: 'http://alertmanager.example:9093',
        alerts,
      }),
    );
    const copies = d % 10 === 9 ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      bodies.push(body);
      alertsPerBody.push(alerts.length);
    }
  }
  const sentAlerts = alertsPerBody.reduce((s, n) => s + n, 0);
  const bytes = bodies.reduce((s, b) => s + b.length, 0);
  return { bodies, alertsPerBody, uniqueAlerts, sentAlerts, incidents, bytes };
}
