import type { IncidentQuery, IncidentStore, KeyUpdate } from '../../app/ports.js';
import type { Incident, IncidentStatus } from '../../domain/model.js';
import { INCIDENT_STATUSES } from '../../domain/model.js';

export interface MemorySnapshot {
  readonly lastIncidentNumber: number;
  readonly incidents: readonly Incident[];
  readonly keys: readonly (readonly [string, string])[];
}

const incidentNumber = (id: string): number => Number(id.slice(id.indexOf('-') + 1));

/**
 * Incidents in memory. The embedded mode makes it durable with the journal (every command is
 * written before it runs, and a snapshot is taken now and then); component tests use it as the fake.
 */
export class MemoryStore implements IncidentStore {
  private readonly incidents = new Map<string, Incident>();
  private readonly currentByKey = new Map<string, string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private lastIncidentNumber = 0;

  private async locked<T>(lock: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(lock) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(lock, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(lock) === tail) this.locks.delete(lock);
    }
  }

  private put(incident: Incident): void {
    this.incidents.set(incident.id, incident);
    this.currentByKey.set(incident.key, incident.id);
  }

  updateByKey<T>(key: string, fn: (current: Incident | null) => Promise<KeyUpdate<T>>): Promise<T> {
    return this.locked(`key:${key}`, async () => {
      const id = this.currentByKey.get(key);
      const current = id === undefined ? null : (this.incidents.get(id) ?? null);
      const update = await fn(current);
      if (update.write && update.next) this.put(update.next);
      return update.result;
    });
  }

  async updateById<T>(id: string, fn: (current: Incident) => Promise<KeyUpdate<T>>): Promise<T | null> {
    const known = this.incidents.get(id);
    if (!known) return null;
    return this.locked(`key:${known.key}`, async () => {
      const current = this.incidents.get(id);
      if (!current) return null;
      const update = await fn(current);
      if (update.write && update.next) {
        this.incidents.set(id, update.next);
      }
      return update.result;
    });
  }

  async get(id: string): Promise<Incident | null> {
    return this.incidents.get(id) ?? null;
  }

  async list(query: IncidentQuery): Promise<Incident[]> {
    const out: Incident[] = [];
    const all = [...this.incidents.values()].sort((a, b) => incidentNumber(b.id) - incidentNumber(a.id));
    for (const i of all) {
      if (query.status !== undefined && i.status !== query.status) continue;
      if (query.source !== undefined && !i.sources.includes(query.source)) continue;
      out.push(i);
      if (out.length >= query.limit) break;
    }
    return out;
  }

  async nextIncidentId(): Promise<string> {
    this.lastIncidentNumber += 1;
    return `INC-${this.lastIncidentNumber}`;
  }

  async countByStatus(): Promise<Record<IncidentStatus, number>> {
    const counts = Object.fromEntries(INCIDENT_STATUSES.map((s) => [s, 0])) as Record<IncidentStatus, number>;
    for (const i of this.incidents.values()) counts[i.status] += 1;
    return counts;
  }

  snapshot(): MemorySnapshot {
    return {
      lastIncidentNumber: this.lastIncidentNumber,
      incidents: [...this.incidents.values()],
      keys: [...this.currentByKey],
    };
  }

  restore(s: MemorySnapshot): void {
    this.incidents.clear();
    this.currentByKey.clear();
    for (const i of s.incidents) this.incidents.set(i.id, i);
    for (const [k, id] of s.keys) this.currentByKey.set(k, id);
    this.lastIncidentNumber = s.lastIncidentNumber;
  }
}
