import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertmanagerServer, startAlertmanager } from '../helpers/alertmanager-server.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { type GaugeExporter, startGaugeExporter } from '../helpers/gauge-exporter.js';
import type { HttpDaemon } from '../helpers/http-daemon.js';
import { startPrometheus } from '../helpers/prometheus-server.js';
import { until } from '../helpers/until.js';

interface IncidentJson {
  id: string;
  status: string;
  severity: string;
  title: string;
  labels: Record<string, string>;
  alerts: { id: string; status: string; labels: Record<string, string>; url: string | null }[];
}

const TOKEN = 'e2e-webhook-token';

/**
 * Real Prometheus → real Alertmanager → the bridge, configured as the README tells users: the
 * receiver with bearer auth and `send_resolved`, Alertmanager grouping by `alertname` only, the
 * bridge by `alertname` and `service`.
 */
describe('Prometheus and Alertmanager end to end', () => {
  let exporter: GaugeExporter;
  let bridge: TestBridge;
  let alertmanager: AlertmanagerServer;
  let prometheus: HttpDaemon;

  const backend = (service: string, name: string, up: number) =>
    exporter.set('e2e_backend_up', { service, backend: name }, up);

  beforeAll(async () => {
    exporter = await startGaugeExporter();
    for (const [service, name] of [
      ['checkout', 'a'],
      ['checkout', 'b'],
      ['search', 'c'],
    ] as const)
      backend(service, name, 1);
    bridge = await startTestBridge({ env: { WEBHOOK_TOKEN: TOKEN } });
    alertmanager = await startAlertmanager({
      global: { resolve_timeout: '10s' },
      route: {
        receiver: 'incident-bridge',
        group_by: ['alertname'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [
        {
          name: 'incident-bridge',
          webhook_configs: [
            {
              url: `${bridge.url}/webhooks/alertmanager`,
              send_resolved: true,
              max_alerts: 0,
              http_config: { authorization: { type: 'Bearer', credentials: TOKEN } },
            },
          ],
        },
      ],
    });
    prometheus = await startPrometheus({
      targets: [exporter.target],
      alertmanagers: [`127.0.0.1:${alertmanager.port}`],
      rules: [
        {
          alert: 'BackendDown',
          expr: 'e2e_backend_up == 0',
          for: '0s',
          labels: { severity: 'critical' },
          annotations: { summary: 'Backend {{ $labels.backend }} of {{ $labels.service }} is down' },
        },
      ],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await bridge?.close();
    await exporter?.close();
  });

  const incidents = async (): Promise<IncidentJson[]> => {
    const r = await bridge.get('/api/incidents');
    return r.body.incidents as IncidentJson[];
  };
  const incidentOf = async (service: string) =>
    (await incidents()).find((i) => i.labels.service === service) ?? null;

  it('opens one incident per service for the alerts of one Alertmanager group, and resolves them', async () => {
    backend('checkout', 'a', 0);
    backend('checkout', 'b', 0);
    backend('search', 'c', 0);

    // One Alertmanager group (alertname) carries three alerts; the bridge makes two incidents of them.
    const checkout = await until(
      async () => {
        const i = await incidentOf('checkout');
        return i && i.alerts.length === 2 ? i : null;
      },
      'the checkout incident with both backends',
      // Prometheus applies its scrape targets and Alertmanagers up to 5 s after it starts.
      40_000,
    );
    const search = await until(() => incidentOf('search'), 'the search incident');
    expect(await incidents()).toHaveLength(2);
    expect(checkout).toMatchObject({ status: 'open', severity: 'critical' });
    expect(checkout.labels).toMatchObject({ alertname: 'BackendDown', service: 'checkout' });
    expect(checkout.alerts.map((a) => a.labels.backend).sort()).toEqual(['a', 'b']);
    expect(checkout.alerts.every((a) => a.id.startsWith('am:') && a.url?.includes('/graph?'))).toBe(true);
    expect(search).toMatchObject({ status: 'open', title: 'Backend c of search is down' });

    // One backend recovers: its alert resolves, the incident stays open for the other.
    backend('checkout', 'a', 1);
    await until(async () => {
      const i = await incidentOf('checkout');
      return i?.alerts.find((a) => a.labels.backend === 'a')?.status === 'resolved' ? i : null;
    }, 'backend a resolved');
    expect(await incidentOf('checkout')).toMatchObject({ status: 'open' });

    backend('checkout', 'b', 1);
    await until(
      async () => ((await incidentOf('checkout'))?.status === 'resolved' ? true : null),
      'checkout resolved',
    );
    expect(await incidentOf('search')).toMatchObject({ status: 'open' });

    backend('search', 'c', 1);
    await until(
      async () => ((await incidentOf('search'))?.status === 'resolved' ? true : null),
      'search resolved',
    );

    // Every delivery carried the bearer token; none was refused.
    const metrics = await fetch(`${bridge.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /webhook_request_duration_seconds_count\{source="alertmanager",code="202"\} [1-9]/,
    );
    expect(metrics).not.toMatch(/webhook_request_duration_seconds_count\{source="alertmanager",code="401"\}/);
  }, 60_000);
});
