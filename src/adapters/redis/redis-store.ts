import type { Redis } from 'ioredis';
import type { IncidentQuery, IncidentStore, KeyUpdate } from '../../app/ports.js';
import {
  type AlertState,
  INCIDENT_STATUSES,
  type Incident,
  type IncidentStatus,
  PRIORITIES,
  type Priority,
  SOURCES,
} from '../../domain/model.js';
import { GET_SCRIPT, READ_SCRIPT, SWEEP_SCRIPT, WRITE_SCRIPT } from './redis-store-scripts.js';

export interface RedisStoreOptions {
  /** Every key starts with `<prefix>:`. */
  readonly prefix: string;
  /** How long a resolved or closed incident stays after its last change. */
  readonly retentionMs: number;
}

/** A read of one group: what the compare-and-set of the write expects to find unchanged. */
interface Snapshot {
  readonly currentId: string | null;
  readonly version: string | null;
  readonly incident: Incident | null;
  /** The incident's alerts as stored, by id: a write sets only those that differ. */
  readonly stored: StoredAlerts;
}

/** Alerts as read from an incident's hash: the object read, and the JSON it was read from. */
type StoredAlerts = ReadonlyMap<string, { readonly alert: AlertState; readonly json: string }>;

const NOTHING_STORED: StoredAlerts = new Map();

/** The incident as stored under `incident:<id>`: its alerts are named, and kept in their own hash. */
type StoredIncident = Omit<Incident, 'alerts'> & { readonly alertIds: readonly string[] };

/**
 * An incident from its stored JSON and its alerts' hash (HGETALL: id, JSON, id, JSON ...). An incident
 * stored by an earlier version holds its alerts inside; it is read as it is, and none count as stored
 * in the hash, so its next write puts them there.
 */
function assemble(json: string, hash: readonly string[]): { incident: Incident; stored: StoredAlerts } {
  const parsed = JSON.parse(json) as StoredIncident | Incident;
  if (!('alertIds' in parsed)) return { incident: parsed, stored: NOTHING_STORED };
  const stored = new Map<string, { alert: AlertState; json: string }>();
  for (let i = 0; i + 1 < hash.length; i += 2) {
    const alertJson = hash[i + 1] as string;
    stored.set(hash[i] as string, { alert: JSON.parse(alertJson) as AlertState, json: alertJson });
  }
  const { alertIds, ...rest } = parsed;
  const alerts = alertIds.map((alertId) => {
    const found = stored.get(alertId);
    if (!found) throw new Error(`incident ${parsed.id} names alert ${alertId}, which is not stored`);
    return found.alert;
  });
  return { incident: { ...rest, alerts }, stored };
}

type WriteOutcome = 'written' | 'conflict' | 'gone';

const MAX_ATTEMPTS = 50;
const SWEEP_BATCH = 500;
const TERMINAL: readonly IncidentStatus[] = ['resolved', 'closed'];
const ACTIVE_PRIORITY_KEYS: readonly (Priority | 'none')[] = [...PRIORITIES, 'none'];
const ALL_INDEXES = [
  'index:all',
  ...INCIDENT_STATUSES.map((s) => `index:status:${s}`),
  ...SOURCES.map((s) => `index:source:${s}`),
  ...ACTIVE_PRIORITY_KEYS.map((p) => `index:active:${p}`),
];

const incidentNumber = (id: string): number => {
  const n = Number(id.slice(id.indexOf('-') + 1));
  return Number.isFinite(n) ? n : 0;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Incidents in Redis, shared by every instance of the bridge.
 *
 * Atomicity: optimistic concurrency, checked by a Lua script at write time. An update reads the
 * group of its grouping key (current incident id and version) and the incident in one script, runs
 * the pure decision, and writes with a second script that first compares the group's id and
 * version with what was read: unchanged, it writes incident, group, indexes and expiry at once;
 * changed, nothing is written and the update reads and decides again. This is WATCH/MULTI done
 * inside Redis: it needs no dedicated connection per update (everything shares one pipelined
 * connection), and unlike a lock it leaves nothing behind when an instance dies mid-update and has
 * no lease to tune. Within one process, updates of one key also queue behind each other, so
 * conflicts (and re-decisions) only happen between instances.
 *
 * Incident ids come from INCR, so they are unique across instances; an update that took an id and
 * then lost the race leaves a gap in the numbering.
 */
export class RedisStore implements IncidentStore {
  private readonly p: string;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisStoreOptions,
  ) {
    this.p = `${options.prefix}:`;
  }

  updateByKey<T>(key: string, fn: (current: Incident | null) => Promise<KeyUpdate<T>>): Promise<T> {
    return this.serial(key, async () => {
      for (let attempt = 1; ; attempt++) {
        const snap = await this.read(key, '');
        const update = await fn(snap.incident);
        if (!update.write || update.next === null) return update.result;
        if (update.next.key !== key) throw new Error('an update of a key wrote an incident of another key');
        const isNew = update.next.id !== snap.incident?.id;
        const outcome = await this.write(key, snap, update.next, { makeCurrent: true, mustExist: !isNew });
        if (outcome === 'written') return update.result;
        await this.backOff(attempt);
      }
    });
  }

  async updateById<T>(id: string, fn: (current: Incident) => Promise<KeyUpdate<T>>): Promise<T | null> {
    const known = await this.get(id);
    if (!known) return null;
    return this.serial(known.key, async () => {
      for (let attempt = 1; ; attempt++) {
        const snap = await this.read(known.key, id);
        if (snap.incident === null) return null;
        const update = await fn(snap.incident);
        if (!update.write || update.next === null) return update.result;
        if (update.next.id !== id) throw new Error('an update of an incident wrote another incident');
        const outcome = await this.write(known.key, snap, update.next, {
          makeCurrent: false,
          mustExist: true,
        });
        if (outcome === 'written') return update.result;
        if (outcome === 'gone') return null;
        await this.backOff(attempt);
      }
    });
  }

  async get(id: string): Promise<Incident | null> {
    const [incident] = await this.getMany([id]);
    return incident ?? null;
  }

  /** The incidents of `ids` in that order, null for one that is gone. */
  private async getMany(ids: readonly string[]): Promise<(Incident | null)[]> {
    const reply = (await GET_SCRIPT.run(this.redis, [this.p, ...ids])) as (string | null | string[])[];
    return ids.map((_, i) => {
      const json = reply[2 * i] as string | null;
      return json ? assemble(json, (reply[2 * i + 1] ?? []) as string[]).incident : null;
    });
  }

  async list(query: IncidentQuery): Promise<Incident[]> {
    const index =
      query.status !== undefined
        ? `index:status:${query.status}`
        : query.source !== undefined
          ? `index:source:${query.source}`
          : 'index:all';
    const page = Math.max(query.limit, 100);
    const out: Incident[] = [];
    const seen = new Set<string>();
    for (let start = 0; out.length < query.limit; start += page) {
      const ids = await this.redis.zrevrange(`${this.p}${index}`, start, start + page - 1);
      if (ids.length === 0) break;
      for (const incident of await this.getMany(ids)) {
        // Null: its retention ran out and the sweep has not taken it off the index yet.
        if (incident === null || out.length >= query.limit) continue;
        if (seen.has(incident.id)) continue;
        seen.add(incident.id);
        if (query.status !== undefined && incident.status !== query.status) continue;
        if (query.source !== undefined && !incident.sources.includes(query.source)) continue;
        out.push(incident);
      }
      if (ids.length < page) break;
    }
    return out;
  }

  async nextIncidentId(): Promise<string> {
    return `INC-${await this.redis.incr(`${this.p}incident-seq`)}`;
  }

  async countActiveByPriority(): Promise<Record<Priority | 'none', number>> {
    const pipeline = this.redis.pipeline();
    for (const p of ACTIVE_PRIORITY_KEYS) pipeline.zcard(`${this.p}index:active:${p}`);
    const replies = (await pipeline.exec()) ?? [];
    const counts = {} as Record<Priority | 'none', number>;
    for (const [i, p] of ACTIVE_PRIORITY_KEYS.entries()) {
      const [error, n] = replies[i] ?? [new Error('no reply'), 0];
      if (error) throw error;
      counts[p] = Number(n);
    }
    return counts;
  }

  async countByStatus(): Promise<Record<IncidentStatus, number>> {
    await this.sweepExpired();
    const pipeline = this.redis.pipeline();
    for (const s of INCIDENT_STATUSES) pipeline.zcard(`${this.p}index:status:${s}`);
    const replies = (await pipeline.exec()) ?? [];
    const counts = {} as Record<IncidentStatus, number>;
    for (const [i, s] of INCIDENT_STATUSES.entries()) {
      const [error, n] = replies[i] ?? [new Error('no reply'), 0];
      if (error) throw error;
      counts[s] = Number(n);
    }
    return counts;
  }

  /** Takes incidents whose retention ran out off the indexes; answers how many it took off. */
  async sweepExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = Number(await SWEEP_SCRIPT.run(this.redis, [this.p, SWEEP_BATCH, ...ALL_INDEXES]));
      total += removed;
      if (removed < SWEEP_BATCH) return total;
    }
  }

  private async read(key: string, id: string): Promise<Snapshot> {
    const [currentId, version, json, hash] = (await READ_SCRIPT.run(this.redis, [this.p, key, id])) as [
      string | null,
      string | null,
      string | null,
      string[],
    ];
    const read = json ? assemble(json, hash ?? []) : null;
    return {
      currentId: currentId ?? null,
      version: version ?? null,
      incident: read?.incident ?? null,
      stored: read?.stored ?? NOTHING_STORED,
    };
  }

  private async write(
    key: string,
    snap: Snapshot,
    incident: Incident,
    how: { makeCurrent: boolean; mustExist: boolean },
  ): Promise<WriteOutcome> {
    const active = incident.status === 'open' || incident.status === 'acknowledged';
    const add = [
      'index:all',
      `index:status:${incident.status}`,
      ...incident.sources.map((s) => `index:source:${s}`),
      ...(active ? [`index:active:${incident.priority ?? 'none'}`] : []),
    ];
    const remove = ALL_INDEXES.filter((i) => !add.includes(i));
    const retain = TERMINAL.includes(incident.status) ? this.options.retentionMs : 0;
    // Only what changed: an alert kept from the read is the same object; one rebuilt alike is the
    // same JSON. A new incident of the key has nothing stored yet.
    const stored = snap.incident?.id === incident.id ? snap.stored : NOTHING_STORED;
    const set: string[] = [];
    for (const alert of incident.alerts) {
      const before = stored.get(alert.id);
      if (before?.alert === alert) continue;
      const json = JSON.stringify(alert);
      if (before?.json !== json) set.push(alert.id, json);
    }
    const { alerts, ...rest } = incident;
    const head: StoredIncident = { ...rest, alertIds: alerts.map((a) => a.id) };
    const kept = new Set(head.alertIds);
    const gone = [...stored.keys()].filter((alertId) => !kept.has(alertId));
    const reply = await WRITE_SCRIPT.run(this.redis, [
      this.p,
      key,
      snap.currentId ?? '',
      snap.version ?? '',
      incident.id,
      JSON.stringify(head),
      incidentNumber(incident.id),
      how.makeCurrent ? '1' : '0',
      how.mustExist ? '1' : '0',
      retain,
      add.length,
      remove.length,
      set.length / 2,
      ...add,
      ...remove,
      ...set,
      ...gone,
    ]);
    const n = Number(reply);
    return n === 1 ? 'written' : n === 0 ? 'conflict' : 'gone';
  }

  private async backOff(attempt: number): Promise<void> {
    if (attempt >= MAX_ATTEMPTS)
      throw new Error(`incident update still conflicting after ${attempt} attempts`);
    await sleep(Math.random() * Math.min(100, 2 ** attempt));
  }

  /** Runs updates of one key one after another within this process. */
  private async serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.chains.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.chains.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    }
  }
}
