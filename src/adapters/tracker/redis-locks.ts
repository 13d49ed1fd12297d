import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Locks } from '../../app/tracker-ports.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisLocksOptions {
  readonly prefix: string;
  /** A lock whose holder died is free after this; a living holder renews it every third of it. */
  readonly ttlMs: number;
  /** How long to keep trying to get a held lock before giving up (the job is then retried). */
  readonly waitMs: number;
}

/**
 * Locks shared by every instance: `SET key token NX PX ttl`, renewed while held, released only by its
 * holder (compare and delete). Tracker jobs of one incident are already one at a time in the queue;
 * the lock also covers a job handed back after its instance stalled while the old one still runs.
 */
export class RedisLocks implements Locks {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisLocksOptions,
  ) {}

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const key = `${this.options.prefix}lock:${name}`;
    const token = randomUUID();
    const deadline = Date.now() + this.options.waitMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      const ok = await this.redis.set(key, token, 'PX', this.options.ttlMs, 'NX');
      if (ok === 'OK') break;
      if (Date.now() > deadline) throw new Error(`lock ${name} is held elsewhere`);
      await new Promise((r) => setTimeout(r, delay));
    }
    const renew = setInterval(
      () => {
        void this.redis.eval(RENEW, 1, key, token, this.options.ttlMs).catch(() => undefined);
      },
      Math.max(100, Math.floor(this.options.ttlMs / 3)),
    );
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}
