/** Alertmanager deliveries for storms: `incidents` groups, alerts spread over `deliveries`. */
export interface StormOptions {
  readonly incidents: number;
  readonly alerts: number;
  readonly deliveries: number;
  readonly startsAt?: string;
  readonly status?: 'firing' | 'resolved';
  readonly endsAt?: string;
  /** Prefix of the alert names, so several storms in one test do not meet. */
  readonly name?: string;
}

export interface StormDelivery {
  readonly body: Record<string, unknown>;
  readonly alertKeys: readonly string[];
  readonly incident: number;
}

/**
 * Alert i belongs to incident i % incidents; each delivery carries the alerts of one incident, as an
 * Alertmanager group would.
 */
export function storm(o: StormOptions): StormDelivery[] {
  const name = o.name ?? 'Storm';
  const startsAt = o.startsAt ?? '2026-11-22T20:00:00Z';
  const perIncident = new Map<number, number[]>();
  for (let i = 0; i < o.alerts; i++) {
    const inc = i % o.incidents;
    perIncident.set(inc, [...(perIncident.get(inc) ?? []), i]);
  }
  const perDelivery = Math.ceil(o.alerts / o.deliveries);
  const out: StormDelivery[] = [];
  for (const [inc, alerts] of perIncident) {
    for (let k = 0; k < alerts.length; k += perDelivery) {
      const chunk = alerts.slice(k, k + perDelivery);
      const status = o.status ?? 'firing';
      out.push({
        incident: inc,
        alertKeys: chunk.map((i) => `${name}${inc}/host-${i}`),
        body: {
          version: '4',
          groupKey: `{}:{alertname="${name}${inc}"}`,
          status,
          receiver: 'bridge',
          groupLabels: { alertname: `${name}${inc}` },
          commonLabels: {},
          commonAnnotations: {},
          externalURL: 'http://alertmanager.example:9093',
          alerts: chunk.map((i) => ({
            status,
            labels: {
              alertname: `${name}${inc}`,
              service: `svc-${inc}`,
              instance: `host-${i}`,
              severity: 'critical',
            },
            annotations: { summary: `${name} ${inc} on host-${i}` },
            startsAt,
            endsAt: status === 'resolved' ? (o.endsAt ?? '2026-11-22T20:30:00Z') : '0001-01-01T00:00:00Z',
            generatorURL: `http://prometheus.example:9090/graph?g0.expr=up&i=${i}`,
          })),
        },
      });
    }
  }
  return out;
}
