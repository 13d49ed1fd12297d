import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/adapters/logging/winston-logger.js';
import type { Clock } from '../../src/app/ports.js';
import { type RunningBridge, startBridge } from '../../src/main.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

/** The stores the component tests run against; each mode gets the same tests. */
export type StoreMode = 'embedded' | 'redis';
export const STORE_MODES: readonly StoreMode[] = ['embedded', 'redis'];

let sharedRedis: Promise<RedisServer> | null = null;

/** One redis-server per test file (each file runs in its own process), started on first use. */
export function sharedRedisServer(): Promise<RedisServer> {
  sharedRedis ??= startRedisServer();
  return sharedRedis;
}

/** Bridges on one data directory share a key prefix, so a restart on it finds the same Redis state. */
const redisPrefixFor = (dataDir: string): string =>
  `ib-test-${createHash('sha1').update(dataDir).digest('hex').slice(0, 12)}`;

export interface TestBridgeOptions {
  readonly mode?: StoreMode;
  /** Redis mode: this server instead of the test file's shared one. */
  readonly redisUrl?: string;
  readonly env?: Record<string, string>;
  readonly clock?: Clock;
  /** Reuse a data directory (to restart on the same state); a new temporary one otherwise. */
  readonly dataDir?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

export interface TestBridge {
  readonly url: string;
  readonly dataDir: string;
  readonly bridge: RunningBridge;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  get(path: string, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** Waits until every accepted delivery has been carried out. */
  settle(): Promise<void>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.parse('2026-11-22T20:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

async function answer(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
}

/** Starts the bridge in-process on a free port, with its own data directory. */
export async function startTestBridge(options: TestBridgeOptions = {}): Promise<TestBridge> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ib-test-'));
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    RULES_DIR: join(import.meta.dirname, '..', '..', 'rules'),
    LOG_LEVEL: 'error',
    ...(options.mode === 'redis'
      ? {
          REDIS_URL: options.redisUrl ?? (await sharedRedisServer()).url,
          REDIS_PREFIX: redisPrefixFor(dataDir),
        }
      : {}),
    ...options.env,
  };
  const bridge = await startBridge({
    env,
    logger: silentLogger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json', ...headers };
    }
    return answer(await fetch(`${bridge.url}${path}`, init));
  };
  return {
    url: bridge.url,
    dataDir,
    bridge,
    post: (path, body, headers) => request('POST', path, body, headers),
    get: (path, headers) => request('GET', path, undefined, headers),
    settle: () => bridge.idle(),
    async close(closeOptions) {
      await bridge.close();
      if (!closeOptions?.keepData && options.dataDir === undefined)
        rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
