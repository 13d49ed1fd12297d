import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/logging/winston-logger.js';
import { closeRedis, connectRedis } from '../../src/adapters/redis/redis-connection.js';
import { RedisStore } from '../../src/adapters/redis/redis-store.js';
import { ingestDelivery } from '../../src/app/ingest.js';
import type { Delivery, IncidentStore, Metrics } from '../../src/app/ports.js';
import { DEFAULT_GROUPING } from '../../src/domain/grouping.js';
import { acknowledge, type CommandOutcome, close } from '../../src/domain/incident-decisions.js';
import type { AlertEvent, Incident } from '../../src/domain/model.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';

const quietMetrics: Metrics = { alertsReceived() {}, decision() {}, webhookRequest() {} };
const T0 = '2026-11-22T20:00:00.000Z';
const DAY = 86_400_000;

function firing(alertname: string, instance: string, at = T0): AlertEvent {
  return {
    id: `am:${alertname}-${instance}`,
    source: 'alertmanager',
    status: 'firing',
    labels: { alertname, service: 'db', instance },
    annotations: {},
    startsAt: at,
    endsAt: null,
    url: null,
    title: alertname,
    severity: 'warning',
  };
}

function resolved(alertname: string, instance: string, endsAt: string): AlertEvent {
  return { ...firing(alertname, instance), status: 'resolved', endsAt };
}

const delivery = (events: AlertEvent[]): Delivery => ({ source: 'alertmanager', receivedAt: T0, events });

describe('RedisStore on a real redis-server', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  let prefixes = 0;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const c of clients) await closeRedis(c);
    await server.remove();
  });

  /** One "instance": its own connection and its own store object, on a prefix shared with its peers. */
  const instance = async (prefix: string, retentionMs = 30 * DAY) => {
    const redis = await connectRedis({ url: server.url }, 'commands', () => undefined);
    clients.push(redis);
    const store = new RedisStore(redis, { prefix, retentionMs });
    return { store, redis };
  };
  const newPrefix = (): string => `store-test-${++prefixes}`;
  /** The ingest path of the bridge: group the delivery's alerts, decide per key through the store. */
  const ingest = (i: { store: IncidentStore }, events: AlertEvent[], d = delivery(events)) =>
    ingestDelivery(
      { store: i.store, grouping: DEFAULT_GROUPING, metrics: quietMetrics, logger: silentLogger },
      d,
    );
  /** An action on one incident, decided by the domain inside the store's atomic update. */
  const act = (store: IncidentStore, id: string, decide: (i: Incident) => CommandOutcome) =>
    store.updateById(id, async (incident) => {
      const o = decide(incident);
      return { next: o.kind === 'changed' ? o.incident : null, write: o.kind === 'changed', result: o };
    });

  it('loses no alert and opens no second incident when two instances update the same incidents at once', async () => {
    const prefix = newPrefix();
    const a = await instance(prefix);
    const b = await instance(prefix);
    const names = Array.from({ length: 20 }, (_, i) => `Race${i}`);
    const hosts = Array.from({ length: 10 }, (_, i) => `host-${i}`);
    // Every alert reaches both instances at the same moment, as an HA pair of Alertmanagers would send it.
    await Promise.all(
      names.flatMap((name) =>
        hosts.flatMap((host) => [ingest(a, [firing(name, host)]), ingest(b, [firing(name, host)])]),
      ),
    );

    const all = await a.store.list({ limit: 1000 });
    expect(all).toHaveLength(20);
    expect(new Set(all.map((i) => i.key)).size).toBe(20);
    for (const incident of all) {
      expect(incident.alerts.map((x) => x.labels.instance).sort()).toEqual([...hosts].sort());
      // 20 deliveries per incident, 10 of them new alerts: the other 10 can only be repeats.
      expect(incident.repeats).toBe(10);
    }
    expect(await b.store.countByStatus()).toEqual({ open: 20, acknowledged: 0, resolved: 0, closed: 0 });
  });

  it('numbers incidents INC-1, INC-2 ... and lists them newest first, by status and by source', async () => {
    const prefix = newPrefix();
    const a = await instance(prefix);
    for (const name of ['First', 'Second', 'Third']) await ingest(a, [firing(name, 'h1')]);
    const zabbix: AlertEvent = { ...firing('Fourth', 'h1'), id: 'zabbix:7001', source: 'zabbix' };
    await ingest(a, [zabbix], { source: 'zabbix', receivedAt: T0, events: [zabbix] });
    await ingest(a, [resolved('Second', 'h1', '2026-11-22T20:05:00.000Z')]);

    const titles = (list: Incident[]) => list.map((i) => `${i.id} ${i.title}`);
    expect(titles(await a.store.list({ limit: 10 }))).toEqual([
      'INC-4 Fourth',
      'INC-3 Third',
      'INC-2 Second',
      'INC-1 First',
    ]);
    expect(titles(await a.store.list({ status: 'resolved', limit: 10 }))).toEqual(['INC-2 Second']);
    expect(titles(await a.store.list({ status: 'open', limit: 2 }))).toEqual(['INC-4 Fourth', 'INC-3 Third']);
    expect(titles(await a.store.list({ source: 'zabbix', limit: 10 }))).toEqual(['INC-4 Fourth']);
    expect(titles(await a.store.list({ status: 'resolved', source: 'zabbix', limit: 10 }))).toEqual([]);
    expect(await a.store.countByStatus()).toEqual({ open: 3, acknowledged: 0, resolved: 1, closed: 0 });
    expect(await a.store.nextIncidentId()).toBe('INC-5');
  });

  it('acknowledges and closes by id, keeping the indexes in step, and knows no unknown id', async () => {
    const a = await instance(newPrefix());
    await ingest(a, [firing('Disk', 'h1')]);
    const acked = await act(a.store, 'INC-1', (i) => acknowledge(i, 'ada', T0));
    expect(acked).toMatchObject({
      kind: 'changed',
      incident: { status: 'acknowledged', acknowledgedBy: 'ada' },
    });
    expect(await a.store.get('INC-1')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ada' });
    expect(await a.store.countByStatus()).toMatchObject({ open: 0, acknowledged: 1 });
    await act(a.store, 'INC-1', (i) => close(i, T0));
    expect((await a.store.list({ status: 'closed', limit: 10 })).map((i) => i.id)).toEqual(['INC-1']);
    expect(await a.store.list({ status: 'acknowledged', limit: 10 })).toEqual([]);
    expect(await act(a.store, 'INC-404', (i) => acknowledge(i, null, T0))).toBeNull();
    expect(await a.store.get('INC-404')).toBeNull();
  });

  it('lets resolved incidents and their alerts leave Redis after the retention, indexes included', async () => {
    const prefix = newPrefix();
    const a = await instance(prefix, 400);
    await ingest(a, [firing('Gone', 'h1'), firing('Stays', 'h1')]);
    await ingest(a, [resolved('Gone', 'h1', '2026-11-22T20:05:00.000Z')]);
    const [stays, gone] = await a.store.list({ limit: 10 });
    expect(gone).toMatchObject({ title: 'Gone', status: 'resolved' });
    expect(await a.redis.pttl(`${prefix}:incident:${gone?.id}`)).toBeGreaterThan(0);
    expect(await a.redis.pttl(`${prefix}:incident:${stays?.id}`)).toBe(-1);
    expect(await a.redis.pttl(`${prefix}:incident-alerts:${gone?.id}`)).toBeGreaterThan(0);
    expect(await a.redis.pttl(`${prefix}:incident-alerts:${stays?.id}`)).toBe(-1);

    await new Promise((r) => setTimeout(r, 600));
    expect(await a.store.get(gone?.id ?? '')).toBeNull();
    expect(await a.store.countByStatus()).toEqual({ open: 1, acknowledged: 0, resolved: 0, closed: 0 });
    expect((await a.store.list({ limit: 10 })).map((i) => i.title)).toEqual(['Stays']);
    const keys = (await a.redis.keys(`${prefix}:*`)).sort();
    expect(keys.filter((k) => k.includes('Gone') || k.endsWith(`:${gone?.id}`))).toEqual([]);
    for (const index of [
      'index:all',
      'index:status:resolved',
      'index:source:alertmanager',
      'index:expiring',
    ]) {
      expect(await a.redis.zscore(`${prefix}:${index}`, gone?.id ?? '')).toBeNull();
    }
    // The alert firing again long after finds no incident to reopen: it opens a new one.
    await ingest(a, [firing('Gone', 'h1', '2026-11-22T23:00:00.000Z')]);
    expect((await a.store.list({ limit: 10 })).map((i) => `${i.id} ${i.title}`)).toEqual([
      'INC-3 Gone',
      `${stays?.id} Stays`,
    ]);
  });
  it('keeps the alerts of an incident apart and writes only those a delivery changed', async () => {
    const prefix = newPrefix();
    const a = await instance(prefix);
    const written: number[] = [];
    const evalsha = a.redis.evalsha.bind(a.redis);
    // WRITE_SCRIPT's 13th argument counts the alerts it sets.
    a.redis.evalsha = ((...args: Parameters<typeof evalsha>) => {
      const argv = args.slice(2) as string[];
      if (argv.length > 13 && /^\d+$/.test(String(argv[12]))) written.push(Number(argv[12]));
      return evalsha(...args);
    }) as typeof a.redis.evalsha;

    await ingest(a, [firing('Disk', 'h1'), firing('Disk', 'h2'), firing('Disk', 'h3')]);
    await ingest(a, [firing('Disk', 'h4')]);
    // The same alert again changes none of them.
    await ingest(a, [firing('Disk', 'h2')]);
    await ingest(a, [resolved('Disk', 'h1', '2026-11-22T20:05:00.000Z')]);
    expect(written).toEqual([3, 1, 0, 1]);

    const stored = JSON.parse((await a.redis.get(`${prefix}:incident:INC-1`)) ?? '{}');
    expect(stored.alerts).toBeUndefined();
    expect(stored.alertIds).toEqual(['am:Disk-h1', 'am:Disk-h2', 'am:Disk-h3', 'am:Disk-h4']);
    expect(await a.redis.hkeys(`${prefix}:incident-alerts:INC-1`)).toHaveLength(4);
    const incident = await a.store.get('INC-1');
    expect(incident?.alerts.map((x) => `${x.labels.instance} ${x.status}`)).toEqual([
      'h1 resolved',
      'h2 firing',
      'h3 firing',
      'h4 firing',
    ]);
    expect(incident?.repeats).toBe(1);
  });

  it('reads an incident stored whole by an earlier version, and stores its alerts apart when it next changes', async () => {
    const prefix = newPrefix();
    const a = await instance(prefix);
    await ingest(a, [firing('Old', 'h1'), firing('Old', 'h2')]);
    const current = await a.store.get('INC-1');
    // As versions before alerts were kept apart wrote it: one JSON, alerts inside, no hash.
    await a.redis.set(`${prefix}:incident:INC-1`, JSON.stringify(current));
    await a.redis.del(`${prefix}:incident-alerts:INC-1`);
    expect(await a.store.get('INC-1')).toEqual(current);
    expect((await a.store.list({ limit: 10 })).map((i) => i.alerts.length)).toEqual([2]);

    await ingest(a, [firing('Old', 'h3')]);
    const stored = JSON.parse((await a.redis.get(`${prefix}:incident:INC-1`)) ?? '{}');
    expect(stored.alerts).toBeUndefined();
    expect(stored.alertIds).toEqual(['am:Old-h1', 'am:Old-h2', 'am:Old-h3']);
    expect((await a.redis.hkeys(`${prefix}:incident-alerts:INC-1`)).sort()).toEqual([
      'am:Old-h1',
      'am:Old-h2',
      'am:Old-h3',
    ]);
    expect((await a.store.get('INC-1'))?.alerts.map((x) => x.id)).toEqual(stored.alertIds);
  });
  it('stores an incident of more alerts than one Lua call can take at once', async () => {
    const a = await instance(newPrefix());
    const hosts = Array.from({ length: 1_200 }, (_, i) => `h${i}`);
    await ingest(
      a,
      hosts.map((h) => firing('Wide', h)),
    );
    await ingest(
      a,
      hosts.slice(0, 600).map((h) => resolved('Wide', h, '2026-11-22T20:05:00.000Z')),
    );
    const incident = await a.store.get('INC-1');
    expect(incident?.alerts.map((x) => x.labels.instance)).toEqual(hosts);
    expect(incident?.alerts.filter((x) => x.status === 'resolved')).toHaveLength(600);
  });
});
