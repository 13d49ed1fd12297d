import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/app/ports.js';
import { startBridge } from '../../src/main.js';
import { fixture } from '../helpers/fixtures.js';
import { freePort, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

const PASSWORD = 'correct-horse-battery-staple';

/** A logger that keeps every line, to read what the bridge would print. */
function capturingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, message, ...fields }));
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('production mode connecting to Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer({ password: PASSWORD });
  });
  afterAll(async () => {
    await redis.remove();
  });

  const env = (url: string) => ({
    PORT: '0',
    HOST: '127.0.0.1',
    RULES_DIR: join(import.meta.dirname, '..', '..', 'rules'),
    REDIS_URL: url,
    REDIS_PREFIX: 'auth',
  });

  it('logs in with the password of REDIS_URL and never prints it', async () => {
    const logger = capturingLogger();
    const bridge = await startBridge({ env: env(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`), logger });
    try {
      const r = await fetch(`${bridge.url}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fixture('alertmanager', '01-firing-single')),
      });
      expect(r.status).toBe(202);
      await bridge.idle();
      expect(await bridge.store.list({ limit: 10 })).toHaveLength(1);
    } finally {
      await bridge.close();
    }
    const started = logger.lines.find((l) => l.includes('"bridge started"')) ?? '';
    expect(started).toContain(`"REDIS_URL":"redis://:<secret>@127.0.0.1:${redis.port}"`);
    expect(logger.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('does not start with a wrong password', async () => {
    await expect(
      startBridge({ env: env(`redis://:wrong@127.0.0.1:${redis.port}`), logger: capturingLogger() }),
    ).rejects.toThrow(/WRONGPASS|invalid username-password/i);
  });

  it('does not start when Redis cannot be reached, and says why', async () => {
    const closed = await freePort();
    await expect(
      startBridge({ env: env(`redis://127.0.0.1:${closed}`), logger: capturingLogger() }),
    ).rejects.toThrow(/cannot connect to Redis: .*ECONNREFUSED/);
  });
});
