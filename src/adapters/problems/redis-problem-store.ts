import type { Redis } from 'ioredis';
import type { DocUpdate, IssueOwner, ProblemStore } from '../../app/problem-ports.js';
import type { Correlation, Problem, ProblemStatus } from '../../domain/problems.js';

/** Writes ARGV[2] at KEYS[1] only if it still holds ARGV[1] ('' for absent); indexes the id in KEYS[2]. */
const COMPARE_AND_SET = `
local current = redis.call('get', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('zadd', KEYS[2], ARGV[3], ARGV[4]) end
return 1`;

const MAX_ATTEMPTS = 50;
const DELIVERY_MEMORY_SECONDS = 24 * 3600;
const number = (id: string): number => Number(id.slice(id.indexOf('-') + 1)) || 0;

/**
 * Problems in Redis, shared by every instance. Each document is updated by optimistic compare and
 * set: read it, decide, write only if it is still what was read (a Lua script), else read again.
 * Problems are few and change rarely, so comparing the whole document is cheap and simple.
 */
export class RedisProblemStore implements ProblemStore {
  private readonly p: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.p = `${prefix}:`;
  }

  private async cas<D, T>(
    key: string,
    index: { key: string; score: number; member: string } | null,
    fn: (current: D | null) => Promise<DocUpdate<D, T>>,
  ): Promise<T> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const raw = await this.redis.get(key);
      const u = await fn(raw === null ? null : (JSON.parse(raw) as D));
      if (u.next === null) return u.result;
      const ok = await this.redis.eval(
        COMPARE_AND_SET,
        2,
        key,
        index?.key ?? key,
        raw ?? '',
        JSON.stringify(u.next),
        index ? String(index.score) : '',
        index?.member ?? '',
      );
      if (ok === 1) return u.result;
      await new Promise((r) => setTimeout(r, Math.min(100, 2 * attempt) * Math.random()));
    }
    throw new Error(`could not update ${key}: too many concurrent writers`);
  }

  async getProblem(id: string): Promise<Problem | null> {
    const raw = await this.redis.get(`${this.p}problem:${id}`);
    return raw === null ? null : (JSON.parse(raw) as Problem);
  }

  async listProblems(query: { status?: ProblemStatus | undefined; limit: number }): Promise<Problem[]> {
    const ids = await this.redis.zrevrange(`${this.p}problems`, 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => `${this.p}problem:${id}`));
    return raws
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as Problem)
      .filter((p) => query.status === undefined || p.status === query.status)
      .slice(0, query.limit);
  }

  async nextProblemId(): Promise<string> {
    return `PRB-${await this.redis.incr(`${this.p}problem-seq`)}`;
  }

  updateProblem<T>(id: string, fn: (current: Problem | null) => Promise<DocUpdate<Problem, T>>): Promise<T> {
    return this.cas(
      `${this.p}problem:${id}`,
      { key: `${this.p}problems`, score: number(id), member: id },
      fn,
    );
  }

  updateCorrelation<T>(
    key: string,
    fn: (current: Correlation | null) => Promise<DocUpdate<Correlation, T>>,
  ): Promise<T> {
    return this.cas(`${this.p}correlation:${key}`, null, fn);
  }

  async issueOwner(issueIdOrKey: string): Promise<IssueOwner | null> {
    const raw = await this.redis.hget(`${this.p}issue-owners`, issueIdOrKey);
    return raw === null ? null : (JSON.parse(raw) as IssueOwner);
  }

  async setIssueOwner(owner: IssueOwner, issueIdsAndKeys: readonly string[]): Promise<void> {
    if (issueIdsAndKeys.length === 0) return;
    const value = JSON.stringify(owner);
    await this.redis.hset(
      `${this.p}issue-owners`,
      Object.fromEntries(issueIdsAndKeys.map((k) => [k, value])),
    );
  }

  async rememberDelivery(id: string, _at: string): Promise<boolean> {
    const ok = await this.redis.set(`${this.p}jira-delivery:${id}`, '1', 'EX', DELIVERY_MEMORY_SECONDS, 'NX');
    return ok === 'OK';
  }
}
