import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertmanagerServer, startAlertmanager } from '../helpers/alertmanager-server.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { freePort } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

interface IncidentJson {
  id: string;
  status: string;
  resolvedAt: string | null;
  labels: Record<string, string>;
  alerts: { id: string; status: string; endsAt: string | null }[];
}

const TOKEN = 'resync-webhook-token';
const REPO_RULES = join(import.meta.dirname, '..', '..', 'rules');

/** Alertmanager settings that make it notify within a second or two. */
const FAST_ROUTE = { group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' };

/**
 * Sits between Alertmanager and the bridge and, once told to, answers resolved notifications 200
 * without passing them on: the notification is lost, and Alertmanager believes it delivered.
 */
async function startLossyRelay() {
  let target = '';
  let swallowResolved = false;
  const swallowed: string[] = [];
  const forwarded: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const payload = JSON.parse(body) as {
      status: string;
      alerts: { status: string; labels: Record<string, string> }[];
    };
    const resolved = payload.alerts.filter((a) => a.status === 'resolved');
    if (swallowResolved && resolved.length > 0) {
      swallowed.push(...resolved.map((a) => a.labels.alertname ?? ''));
      res.writeHead(200).end();
      return;
    }
    forwarded.push(...payload.alerts.map((a) => `${a.labels.alertname} ${a.status}`));
    const r = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body,
    });
    res.writeHead(r.status).end(await r.text());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/alertmanager`,
    swallowed,
    forwarded,
    forwardTo(url: string) {
      target = url;
    },
    loseResolved() {
      swallowResolved = true;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

describe('Alertmanager resync against a real Alertmanager', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const bridgeOn = async (urls: string[], env: Record<string, string> = {}): Promise<TestBridge> => {
    const b = await startTestBridge({
      env: {
        WEBHOOK_TOKEN: TOKEN,
        ALERTMANAGER_URL: urls.join(','),
        ALERTMANAGER_SYNC_INTERVAL: '1s',
        ALERTMANAGER_MIN_UPTIME: '0s',
        ...env,
      },
    });
    cleanups.push(() => b.close());
    return b;
  };
  const alertmanager = async (config: Record<string, unknown>): Promise<AlertmanagerServer> => {
    const am = await startAlertmanager(config);
    cleanups.push(() => am.stop());
    return am;
  };
  /** An Alertmanager that notifies nobody: the bridge hears only what it reads from the API. */
  const silentAlertmanager = () =>
    alertmanager({
      route: { receiver: 'incident-bridge', ...FAST_ROUTE },
      receivers: [{ name: 'incident-bridge' }],
    });

  const incidents = async (b: TestBridge): Promise<IncidentJson[]> =>
    (await b.get('/api/incidents')).body.incidents as IncidentJson[];
  const incidentOf = async (b: TestBridge, alertname: string) =>
    (await incidents(b)).find((i) => i.labels.alertname === alertname) ?? null;
  const statusBecomes = (b: TestBridge, alertname: string, status: string) =>
    until(
      async () => ((await incidentOf(b, alertname))?.status === status ? true : null),
      `${alertname} ${status}`,
    );
  const metric = async (b: TestBridge, pattern: RegExp): Promise<number> => {
    const m = pattern.exec(await fetch(`${b.url}/metrics`).then((r) => r.text()));
    return m ? Number(m[1]) : 0;
  };
  const firing = (alertname: string, labels: Record<string, string> = {}) => ({
    labels: { alertname, service: 'shop', severity: 'critical', ...labels },
    annotations: { summary: `${alertname} fires` },
    generatorURL: `http://prometheus.example/graph?g0.expr=${alertname}`,
  });
  const ended = (alertname: string, labels: Record<string, string> = {}) => ({
    ...firing(alertname, labels),
    endsAt: new Date(Date.now() - 1000).toISOString(),
  });

  it('resolves the incident at the next resync when the bridge missed the resolved notification', async () => {
    const relay = await startLossyRelay();
    cleanups.push(() => relay.close());
    const am = await alertmanager({
      route: { receiver: 'incident-bridge', ...FAST_ROUTE },
      receivers: [
        {
          name: 'incident-bridge',
          webhook_configs: [
            {
              url: relay.url,
              send_resolved: true,
              http_config: { authorization: { type: 'Bearer', credentials: TOKEN } },
            },
          ],
        },
      ],
    });
    const b = await bridgeOn([am.url], { ALERTMANAGER_SYNC_INTERVAL: '2s' });
    relay.forwardTo(`${b.url}/webhooks/alertmanager`);

    await am.push([firing('CheckoutDown')]);
    await until(
      () => (relay.forwarded.includes('CheckoutDown firing') ? true : null),
      'the firing notification',
    );
    await statusBecomes(b, 'CheckoutDown', 'open');

    relay.loseResolved();
    await am.push([ended('CheckoutDown')]);
    await until(
      () => (relay.swallowed.includes('CheckoutDown') ? true : null),
      'the resolved notification lost',
    );
    await statusBecomes(b, 'CheckoutDown', 'resolved');
    expect(await metric(b, /catchup_items_total\{source="alertmanager",kind="missed-resolve"\} (\d+)/)).toBe(
      1,
    );
    expect((await incidentOf(b, 'CheckoutDown'))?.alerts[0]).toMatchObject({ status: 'resolved' });
  });

  it('opens alerts it was never told of, but neither silenced ones nor ones routed to other receivers', async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'ib-am-rules-'));
    cleanups.push(() => rmSync(rulesDir, { recursive: true, force: true }));
    cpSync(REPO_RULES, rulesDir, { recursive: true });
    writeFileSync(join(rulesDir, 'catchup.yml'), 'alertmanager:\n  receivers: [incident-bridge]\n');
    const am = await alertmanager({
      route: {
        receiver: 'incident-bridge',
        ...FAST_ROUTE,
        routes: [{ receiver: 'team-mail', matchers: ['team="mail"'] }],
      },
      receivers: [{ name: 'incident-bridge' }, { name: 'team-mail' }],
    });
    await am.silence({ alertname: 'Silenced' });
    await am.push([firing('Missed'), firing('Silenced'), firing('OtherTeam', { team: 'mail' })]);
    const b = await bridgeOn([am.url], { RULES_DIR: rulesDir });

    await statusBecomes(b, 'Missed', 'open');
    const runs = await metric(b, /catchup_runs_total\{source="alertmanager",outcome="ok"\} (\d+)/);
    await until(
      async () =>
        (await metric(b, /catchup_runs_total\{source="alertmanager",outcome="ok"\} (\d+)/)) >= runs + 2
          ? true
          : null,
      'two more passes',
    );
    expect((await incidents(b)).map((i) => i.labels.alertname)).toEqual(['Missed']);
    const [missed] = await incidents(b);
    const [held] = (await am.alerts()).filter((a) => a.labels.alertname === 'Missed');
    expect(missed?.alerts.map((a) => a.id)).toEqual([`am:${held?.fingerprint}`]);

    // Silenced while the bridge holds it: it still fires, so its incident stays open.
    await am.silence({ alertname: 'Missed' });
    await until(
      async () =>
        (await am.alerts()).find((a) => a.labels.alertname === 'Missed')?.status.state === 'suppressed'
          ? true
          : null,
      'Missed silenced',
    );
    const before = await metric(b, /catchup_runs_total\{source="alertmanager",outcome="ok"\} (\d+)/);
    await until(
      async () =>
        (await metric(b, /catchup_runs_total\{source="alertmanager",outcome="ok"\} (\d+)/)) >= before + 2
          ? true
          : null,
      'two more passes',
    );
    expect(await incidentOf(b, 'Missed')).toMatchObject({ status: 'open' });

    await am.push([ended('Missed')]);
    await statusBecomes(b, 'Missed', 'resolved');
  });

  it('unions the answers of an HA pair and resolves nothing while no Alertmanager answers', async () => {
    const am1 = await silentAlertmanager();
    const am2 = await silentAlertmanager();
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const b = await bridgeOn([am1.url, am2.url, unreachable]);

    await am1.push([firing('OnlyOnFirst')]);
    await am2.push([firing('OnlyOnSecond')]);
    await statusBecomes(b, 'OnlyOnFirst', 'open');
    await statusBecomes(b, 'OnlyOnSecond', 'open');

    // Gone from the one that had it, never on the other, and the third does not answer: resolved.
    await am1.push([ended('OnlyOnFirst')]);
    await statusBecomes(b, 'OnlyOnFirst', 'resolved');
    expect(await incidentOf(b, 'OnlyOnSecond')).toMatchObject({ status: 'open' });
    expect(
      await metric(b, /catchup_api_errors_total\{source="alertmanager",op="status"\} (\d+)/),
    ).toBeGreaterThan(0);

    // Nobody answers: their silence proves nothing.
    await am1.stop();
    await am2.stop();
    const failed = /catchup_runs_total\{source="alertmanager",outcome="failed"\} (\d+)/;
    const before = await metric(b, failed);
    await until(async () => ((await metric(b, failed)) >= before + 2 ? true : null), 'two failed passes');
    expect(await incidentOf(b, 'OnlyOnSecond')).toMatchObject({ status: 'open' });
  });

  it('resolves nothing on the word of an Alertmanager that has just started', async () => {
    const am = await silentAlertmanager();
    const b = await bridgeOn([am.url], { ALERTMANAGER_MIN_UPTIME: '1h' });
    await am.push([firing('JustStarted')]);
    await statusBecomes(b, 'JustStarted', 'open');
    await am.push([ended('JustStarted')]);
    const ok = /catchup_runs_total\{source="alertmanager",outcome="ok"\} (\d+)/;
    const before = await metric(b, ok);
    await until(async () => ((await metric(b, ok)) >= before + 2 ? true : null), 'two more passes');
    expect(await incidentOf(b, 'JustStarted')).toMatchObject({ status: 'open' });
  });
});
