import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_MODES, type StoreMode, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { until } from '../helpers/until.js';
import { ADMIN, startZabbixSimulator, type ZabbixSimulator } from '../zabbix-sim/zabbix-simulator.js';

interface IncidentJson {
  id: string;
  status: string;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
  repeats: number;
  labels: Record<string, string>;
  alerts: {
    id: string;
    status: string;
    startsAt: string;
    endsAt: string | null;
    labels: Record<string, string>;
  }[];
}

const REPO_RULES = join(import.meta.dirname, '..', '..', 'rules');
const iso = (clock: number) => new Date(clock * 1000).toISOString();

/** Zabbix with a web and a database host, and a trigger per service. */
async function zabbixWithServices(): Promise<{
  sim: ZabbixSimulator;
  token: string;
  trigger: Record<string, string>;
}> {
  const sim = await startZabbixSimulator();
  sim.state.addHost('web-1', { name: 'Web 1', groups: ['Web'], tags: [{ tag: 'env', value: 'prod' }] });
  sim.state.addHost('db-1', {
    name: 'Database 1',
    groups: ['Databases'],
    tags: [{ tag: 'env', value: 'prod' }],
  });
  const trigger: Record<string, string> = {};
  for (const [service, host, name, priority] of [
    ['web', 'web-1', 'Nginx down on {HOST.NAME}', 4],
    ['db', 'db-1', 'Replication lag on {HOST.NAME}', 3],
    ['cache', 'db-1', 'Cache evictions on {HOST.NAME}', 2],
    ['queue', 'db-1', 'Queue backlog on {HOST.NAME}', 4],
    ['search', 'web-1', 'Search slow on {HOST.NAME}', 2],
    ['billing', 'db-1', 'Billing jobs failing on {HOST.NAME}', 5],
    ['checkout', 'web-1', 'Checkout errors on {HOST.NAME}', 5],
  ] as const) {
    trigger[service] = sim.state.addTrigger(host, name, {
      priority,
      tags: [
        { tag: 'service', value: service },
        { tag: 'scope', value: 'availability' },
      ],
    }).triggerid;
  }
  return { sim, token: sim.state.addToken(ADMIN.userid), trigger };
}

const incidents = async (b: TestBridge): Promise<IncidentJson[]> =>
  (await b.get('/api/incidents')).body.incidents as IncidentJson[];
const byService = async (b: TestBridge, service: string) =>
  (await incidents(b)).filter((i) => i.labels.service === service);
const metricsOf = (b: TestBridge) => fetch(`${b.url}/metrics`).then((r) => r.text());

describe.each(STORE_MODES)('Zabbix catch-up (%s store)', (mode: StoreMode) => {
  let sim: ZabbixSimulator;
  let token: string;
  let trigger: Record<string, string>;
  const bridges: TestBridge[] = [];
  const dirs: string[] = [];

  beforeEach(async () => {
    ({ sim, token, trigger } = await zabbixWithServices());
  });
  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    await sim.close();
  });

  const start = async (env: Record<string, string> = {}, dataDir?: string) => {
    const b = await startTestBridge({
      mode,
      ...(dataDir ? { dataDir } : {}),
      env: { ZABBIX_URL: sim.url, ZABBIX_API_TOKEN: token, ZABBIX_SYNC_INTERVAL: '1m', ...env },
    });
    bridges.push(b);
    return b;
  };
  const webhook = async (b: TestBridge, eventid: string, kind: 'problem' | 'recovery') => {
    const r = await b.post('/webhooks/zabbix', sim.webhookBody(eventid, kind));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    await b.settle();
  };

  it('shows what happened while it was down, and a late webhook duplicates nothing', async () => {
    const now = sim.state.clock();
    sim.state.okPeriodSeconds = 300;
    const dataDir = mkdtempSync(join(tmpdir(), 'ib-zbx-catch-up-'));
    dirs.push(dataDir);

    // Before the outage: the bridge hears of the db and cache problems.
    const first = await startTestBridge({ mode, dataDir });
    const db = sim.state.fire(trigger.db ?? '', now - 600);
    const cache = sim.state.fire(trigger.cache ?? '', now - 900);
    await webhook(first, db.eventid, 'problem');
    await webhook(first, cache.eventid, 'problem');
    await first.close({ keepData: true });

    // While it is down (Zabbix gives up on its webhooks): web fires and is acknowledged, db recovers,
    // cache recovered long enough ago that problem.get no longer lists it, queue fires and recovers.
    const web = sim.state.fire(trigger.web ?? '', now - 120);
    sim.state.update(web.eventid, { acknowledge: true, message: 'looking' }, now - 90);
    const dbRecovery = sim.state.recover(db.eventid, now - 60);
    const cacheRecovery = sim.state.recover(cache.eventid, now - 800);
    const queue = sim.state.fire(trigger.queue ?? '', now - 200);
    const queueRecovery = sim.state.recover(queue.eventid, now - 100);

    const second = await start({}, dataDir);
    await until(async () => ((await incidents(second)).length === 4 ? true : null), 'four incidents');
    await until(
      async () => ((await byService(second, 'db'))[0]?.status === 'resolved' ? true : null),
      'db resolved',
    );
    const [webInc] = await byService(second, 'web');
    expect(webInc).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Zabbix Administrator (Admin)' });
    expect(webInc?.alerts).toEqual([
      expect.objectContaining({
        id: `zabbix:${web.eventid}`,
        status: 'firing',
        startsAt: iso(web.clock),
        labels: {
          service: 'web',
          scope: 'availability',
          env: 'prod',
          alertname: 'Nginx down on Web 1',
          host: 'web-1',
          trigger_id: trigger.web,
          trigger_name: 'Nginx down on Web 1',
        },
      }),
    ]);
    expect((await byService(second, 'db'))[0]).toMatchObject({ resolvedAt: iso(dbRecovery.clock) });
    expect((await byService(second, 'cache'))[0]).toMatchObject({
      status: 'resolved',
      resolvedAt: iso(cacheRecovery.clock),
    });
    expect((await byService(second, 'queue'))[0]).toMatchObject({
      status: 'resolved',
      resolvedAt: iso(queueRecovery.clock),
    });

    // Zabbix's webhooks arrive late after all (a retry that got through): nothing new.
    await webhook(second, web.eventid, 'problem');
    await webhook(second, db.eventid, 'recovery');
    await webhook(second, queue.eventid, 'problem');
    await webhook(second, queue.eventid, 'recovery');
    const after = await incidents(second);
    expect(after).toHaveLength(4);
    expect(after.find((i) => i.labels.service === 'web')).toMatchObject({
      repeats: 1,
      alerts: [expect.anything()],
    });
    expect(after.find((i) => i.labels.service === 'db')).toMatchObject({
      status: 'resolved',
      resolvedAt: iso(dbRecovery.clock),
    });

    const metrics = await metricsOf(second);
    expect(metrics).toContain('incident_bridge_catchup_items_total{source="zabbix",kind="missed-firing"} 2');
    expect(metrics).toContain('incident_bridge_catchup_items_total{source="zabbix",kind="missed-resolve"} 3');
  });

  it('opens only problems of the host groups and severities the rules name, and takes any recovery', async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'ib-zbx-rules-'));
    dirs.push(rulesDir);
    cpSync(REPO_RULES, rulesDir, { recursive: true });
    writeFileSync(
      join(rulesDir, 'catchup.yml'),
      'zabbix:\n  host_groups: [Web]\n  severities: [high, disaster]\n',
    );

    const held = sim.state.fire(trigger.db ?? '');
    const b = await start({ RULES_DIR: rulesDir, ZABBIX_SYNC_INTERVAL: '1s' });
    await webhook(b, held.eventid, 'problem');

    sim.state.fire(trigger.search ?? ''); // Web, but only a warning
    sim.state.fire(trigger.billing ?? ''); // disaster, but Databases
    const checkout = sim.state.fire(trigger.checkout ?? ''); // Web and disaster
    sim.state.recover(held.eventid); // Databases: out of scope, but the bridge holds it

    await until(
      async () => ((await byService(b, 'db'))[0]?.status === 'resolved' ? true : null),
      'the held db problem resolved',
    );
    await until(async () => ((await byService(b, 'checkout')).length === 1 ? true : null), 'checkout opened');
    const all = await incidents(b);
    expect(all.map((i) => i.labels.service).sort()).toEqual(['checkout', 'db']);
    expect(all.find((i) => i.labels.service === 'checkout')?.alerts[0]?.id).toBe(
      `zabbix:${checkout.eventid}`,
    );
    const problemGet = sim.calls.find((c) => c.method === 'problem.get');
    expect(problemGet?.params).toMatchObject({
      groupids: [expect.any(String)],
      severities: [4, 5],
      recent: true,
    });
  });

  it('keeps taking webhooks while the Zabbix API fails, and catches up once it answers', async () => {
    sim.faults.httpStatus = 503;
    const b = await start({ ZABBIX_SYNC_INTERVAL: '1s' });
    await until(
      async () =>
        /catchup_api_errors_total\{source="zabbix",op="apiinfo.version"\} [1-9]/.test(await metricsOf(b))
          ? true
          : null,
      'an API error counted',
    );
    const db = sim.state.fire(trigger.db ?? '');
    await webhook(b, db.eventid, 'problem');
    expect((await b.get('/readyz')).status).toBe(200);
    expect(await metricsOf(b)).toMatch(/catchup_runs_total\{source="zabbix",outcome="failed"\} [1-9]/);

    const web = sim.state.fire(trigger.web ?? '');
    delete sim.faults.httpStatus;
    await until(async () => ((await byService(b, 'web')).length === 1 ? true : null), 'web caught up');
    expect((await byService(b, 'web'))[0]?.alerts[0]?.id).toBe(`zabbix:${web.eventid}`);
    expect(await incidents(b)).toHaveLength(2);
  });
});

describe('Zabbix catch-up on two instances sharing Redis', () => {
  it('runs one pass at a time across instances', async () => {
    const { sim, token, trigger } = await zabbixWithServices();
    const env = {
      REDIS_PREFIX: `zbx-lock-${Date.now()}`,
      ZABBIX_URL: sim.apiUrl,
      ZABBIX_API_TOKEN: token,
      ZABBIX_SYNC_INTERVAL: '1s',
    };
    // Each API call takes a while, so the instances' passes would overlap without the lock.
    sim.faults.delayMs = 250;
    const web = sim.state.fire(trigger.web ?? '');
    const a = await startTestBridge({ mode: 'redis', env });
    const b = await startTestBridge({ mode: 'redis', env });
    try {
      await until(async () => ((await incidents(a)).length === 1 ? true : null), 'web caught up');
      const runs = () => sim.calls.filter((c) => c.method === 'problem.get').length;
      await until(() => (runs() >= 4 ? true : null), 'four passes');
      expect(sim.maxConcurrent('problem.get')).toBe(1);
      const skipped = /catchup_runs_total\{source="zabbix",outcome="skipped"\} [1-9]/;
      expect(skipped.test(await metricsOf(a)) || skipped.test(await metricsOf(b))).toBe(true);
      const [inc] = await incidents(b);
      expect(inc?.alerts.map((x) => x.id)).toEqual([`zabbix:${web.eventid}`]);
    } finally {
      await a.close();
      await b.close();
      await sim.close();
    }
  });
});
