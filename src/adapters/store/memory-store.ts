import type { IncidentQuery, IncidentStore, KeyUpdate } from '../../app/ports.js';
import type { DocUpdate, IssueOwner, ProblemStore } from '../../app/problem-ports.js';
import type { Incident, IncidentStatus, Priority } from '../../domain/model.js';
import { INCIDENT_STATUSES, PRIORITIES } from '../../domain/model.js';
import type { Correlation, Problem, ProblemStatus } from '../../domain/problems.js';

export interface MemorySnapshot {
  readonly lastIncidentNumber: number;
  readonly incidents: readonly Incident[];
  readonly keys: readonly (readonly [string, string])[];
  readonly lastProblemNumber?: number;
  readonly problems?: readonly Problem[];
  readonly correlations?: readonly Correlation[];
  readonly owners?: readonly (readonly [string, IssueOwner])[];
  readonly deliveries?: readonly (readonly [string, string])[];
}

/** Jira webhook delivery ids are kept this long: Jira retries a delivery for about 30 minutes. */
const DELIVERY_MEMORY_MS = 24 * 3_600_000;

const incidentNumber = (id: string): number => Number(id.slice(id.indexOf('-') + 1));

/**
 * Incidents in memory. The embedded mode makes it durable with the journal (every command is
 * written before it runs, and a snapshot is taken now and then); component tests use it as the fake.
 */
export class MemoryStore implements IncidentStore, ProblemStore {
  private readonly incidents = new Map<string, Incident>();
  private readonly currentByKey = new Map<string, string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private lastIncidentNumber = 0;
  private readonly problems = new Map<string, Problem>();
  private readonly correlations = new Map<string, Correlation>();
  private readonly owners = new Map<string, IssueOwner>();
  private readonly deliveries = new Map<string, string>();
  private lastProblemNumber = 0;

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

  async countActiveByPriority(): Promise<Record<Priority | 'none', number>> {
    const counts = Object.fromEntries([...PRIORITIES, 'none'].map((p) => [p, 0])) as Record<
      Priority | 'none',
      number
    >;
    for (const i of this.incidents.values()) {
      if (i.status === 'open' || i.status === 'acknowledged') counts[i.priority ?? 'none'] += 1;
    }
    return counts;
  }

  async countByStatus(): Promise<Record<IncidentStatus, number>> {
    const counts = Object.fromEntries(INCIDENT_STATUSES.map((s) => [s, 0])) as Record<IncidentStatus, number>;
    for (const i of this.incidents.values()) counts[i.status] += 1;
    return counts;
  }

  async getProblem(id: string): Promise<Problem | null> {
    return this.problems.get(id) ?? null;
  }

  async listProblems(query: { status?: ProblemStatus | undefined; limit: number }): Promise<Problem[]> {
    return [...this.problems.values()]
      .filter((p) => query.status === undefined || p.status === query.status)
      .sort((a, b) => incidentNumber(b.id) - incidentNumber(a.id))
      .slice(0, query.limit);
  }

  async nextProblemId(): Promise<string> {
    this.lastProblemNumber += 1;
    return `PRB-${this.lastProblemNumber}`;
  }

  updateProblem<T>(id: string, fn: (current: Problem | null) => Promise<DocUpdate<Problem, T>>): Promise<T> {
    return this.locked(`problem:${id}`, async () => {
      const u = await fn(this.problems.get(id) ?? null);
      if (u.next) this.problems.set(id, u.next);
      return u.result;
    });
  }

  updateCorrelation<T>(
    key: string,
    fn: (current: Correlation | null) => Promise<DocUpdate<Correlation, T>>,
  ): Promise<T> {
    return this.locked(`correlation:${key}`, async () => {
      const u = await fn(this.correlations.get(key) ?? null);
      if (u.next) this.correlations.set(key, u.next);
      return u.result;
    });
  }

  async issueOwner(issueIdOrKey: string): Promise<IssueOwner | null> {
    return this.owners.get(issueIdOrKey) ?? null;
  }

  async setIssueOwner(owner: IssueOwner, issueIdsAndKeys: readonly string[]): Promise<void> {
    for (const k of issueIdsAndKeys) this.owners.set(k, owner);
  }

  async rememberDelivery(id: string, at: string): Promise<boolean> {
    const cutoff = Date.parse(at) - DELIVERY_MEMORY_MS;
    for (const [d, seen] of this.deliveries) if (Date.parse(seen) < cutoff) this.deliveries.delete(d);
    if (this.deliveries.has(id)) return false;
    this.deliveries.set(id, at);
    return true;
  }

  snapshot(): MemorySnapshot {
    return {
      lastIncidentNumber: this.lastIncidentNumber,
      incidents: [...this.incidents.values()],
      keys: [...this.currentByKey],
      lastProblemNumber: this.lastProblemNumber,
      problems: [...this.problems.values()],
      correlations: [...this.correlations.values()],
      owners: [...this.owners],
      deliveries: [...this.deliveries],
    };
  }

  restore(s: MemorySnapshot): void {
    this.incidents.clear();
    this.currentByKey.clear();
    for (const i of s.incidents) this.incidents.set(i.id, i);
    for (const [k, id] of s.keys) this.currentByKey.set(k, id);
    this.lastIncidentNumber = s.lastIncidentNumber;
    this.problems.clear();
    this.correlations.clear();
    this.owners.clear();
    this.deliveries.clear();
    for (const p of s.problems ?? []) this.problems.set(p.id, p);
    for (const c of s.correlations ?? []) this.correlations.set(c.key, c);
    for (const [k, o] of s.owners ?? []) this.owners.set(k, o);
    for (const [d, at] of s.deliveries ?? []) this.deliveries.set(d, at);
    this.lastProblemNumber = s.lastProblemNumber ?? 0;
  }
}
