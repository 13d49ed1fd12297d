import type { RedisOptions as WorkerConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisSettings {
  /** `redis://` or `rediss://`; with Sentinel it gives only the credentials, database and TLS of the master. */
  readonly url: string;
  readonly sentinels?: readonly { readonly host: string; readonly port: number }[] | undefined;
  readonly sentinelMaster?: string | undefined;
  readonly sentinelPassword?: string | undefined;
}

/** The Redis settings of the configuration; null in the embedded mode. */
export function redisSettings(config: {
  readonly REDIS_URL?: string | undefined;
  readonly REDIS_SENTINELS?: RedisSettings['sentinels'];
  readonly REDIS_SENTINEL_MASTER?: string | undefined;
  readonly REDIS_SENTINEL_PASSWORD?: string | undefined;
}): RedisSettings | null {
  if (config.REDIS_URL === undefined) return null;
  return {
    url: config.REDIS_URL,
    sentinels: config.REDIS_SENTINELS,
    sentinelMaster: config.REDIS_SENTINEL_MASTER,
    sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
  };
}

/**
 * What a connection is for, which decides how it behaves while Redis is away:
 * - `commands` (webhooks, the store, the API) fails at once, so a webhook answers 503 instead of
 *   holding the sender while Redis is down;
 * - `worker` (BullMQ's worker, which duplicates it for its blocking fetch) waits for Redis to come
 *   back, as BullMQ requires (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'commands' | 'worker';

/** Longest a command may wait for its answer on a `commands` connection before it is failed. */
const COMMAND_TIMEOUT_MS = 5_000;
/** Reconnect quickly: a webhook that got 503 is sent again by its sender within seconds. */
const reconnectDelay = (attempt: number): number => Math.min(100 * attempt, 2_000);

export function redisOptions(settings: RedisSettings, role: RedisRole): RedisOptions {
  const tls = settings.url.startsWith('rediss://');
  const sentinel: RedisOptions =
    settings.sentinels === undefined
      ? {}
      : {
          sentinels: settings.sentinels.map((s) => ({ host: s.host, port: s.port })),
          name: settings.sentinelMaster,
          ...(settings.sentinelPassword === undefined ? {} : { sentinelPassword: settings.sentinelPassword }),
          ...(tls ? { enableTLSForSentinelMode: true } : {}),
        };
  const behaviour: RedisOptions =
    role === 'commands'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS }
      : { maxRetriesPerRequest: null };
  return {
    connectionName: `incident-bridge:${role}`,
    retryStrategy: reconnectDelay,
    ...sentinel,
    ...behaviour,
  };
}

/** Options from which BullMQ's worker makes its own two connections (commands and blocking fetch). */
export function workerConnection(settings: RedisSettings): WorkerConnectionOptions {
  const { retryStrategy: _typedForIoredis, ...options } = redisOptions(settings, 'worker');
  return { ...options, url: settings.url, retryStrategy: reconnectDelay };
}

/** A connected client; rejects when Redis cannot be reached at start (the bridge then does not start). */
export async function connectRedis(
  settings: RedisSettings,
  role: RedisRole,
  onError: (error: Error) => void,
): Promise<Redis> {
  const client = new Redis(settings.url, { ...redisOptions(settings, role), lazyConnect: true });
  client.on('error', onError);
  // connect() itself only says "Connection is closed"; the error event says why (refused, WRONGPASS ...).
  let why: unknown = null;
  const remember = (e: unknown) => {
    why = e;
  };
  client.on('error', remember);
  try {
    await client.connect();
  } catch (e) {
    client.disconnect();
    throw new Error(`cannot connect to Redis: ${String(why ?? e)}`);
  } finally {
    client.off('error', remember);
  }
  return client;
}

/** Closes a client politely (QUIT), or at once when Redis is not there to answer. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await client.quit().catch(() => client.disconnect());
}
