import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA, loaded with EVAL the first time a server does not know it
 * (after a restart or a failover). Every key it touches is named from the prefix it is given.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 0, ...args);
    } catch (e) {
      if (!String(e).includes('NOSCRIPT')) throw e;
      return redis.eval(this.lua, 0, ...args);
    }
  }
}
