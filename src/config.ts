import { z } from 'zod';
import { parseDuration } from './domain/duration.js';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const port = z.coerce.number().int().min(0).max(65535);
const bytes = z
  .string()
  .regex(/^\d+\s*(b|kb|kib|mb|mib)?$/i, 'expected a size such as 1048576, 512kb or 1mib')
  .transform((v) => {
    const m = /^(\d+)\s*([a-z]*)$/i.exec(v.trim());
    const n = Number(m?.[1] ?? 0);
    const unit = (m?.[2] ?? '').toLowerCase();
    const factor = unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1;
    return n * factor;
  });

const duration = z.string().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 30s, 15m, 12h or 30d' });
    return z.NEVER;
  }
  return ms;
});

const redisUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v))
  .refine(
    (v) => v === undefined || /^rediss?:\/\/[^/]/.test(v),
    'expected redis://host:port or rediss://host:port',
  )
  .refine((v) => v === undefined || URL.canParse(v), 'not a valid URL');

/** `host:port,host:port`: the Sentinels to ask where the master is. */
const sentinels = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
  .refine(
    (v) => v === undefined || v.split(',').every((s) => /^[^\s:,]+:\d{1,5}$/.test(s.trim())),
    'expected host:port[,host:port...]',
  )
  .transform((v) =>
    v?.split(',').map((s) => {
      const at = s.trim().lastIndexOf(':');
      return { host: s.trim().slice(0, at), port: Number(s.trim().slice(at + 1)) };
    }),
  );

/** Production mode (issue 3): on when REDIS_URL is set. */
const productionSettings = {
  /** Set: production mode, state in Redis and work in BullMQ queues. Unset: the embedded default. */
  REDIS_URL: redisUrl,
  /** Every Redis key of the bridge (store and queues) starts with `<prefix>:`, so bridges can share a Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, dot, dash or underscore')
    .default('incident-bridge'),
  /** With Sentinel, REDIS_URL gives only the credentials, database and TLS of the master. */
  REDIS_SENTINELS: sentinels,
  REDIS_SENTINEL_MASTER: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: optionalSecret,
  /** How long resolved and closed incidents (and their alerts) stay in Redis after their last change. */
  RETENTION: duration.default(30 * 86_400_000),
  /**
   * Threads of one instance that carry out deliveries, each with WORKER_CONCURRENCY jobs at a time; the
   * main thread then only answers webhooks and the API. 0: deliveries are carried out on the main thread.
   */
  INGEST_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  /**
   * How much an ingest thread yields the CPU to the thread answering webhooks (a nice value, Linux):
   * under a storm senders are answered first and the queue is worked off as the CPU allows.
   */
  INGEST_THREAD_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * Deliveries one instance (or each of its ingest threads) works on at the same time. Each one's
   * incidents are updated together, so a few keep Redis busy; a storm that arrives meanwhile waits for
   * those already begun (the pacer only holds back new ones), so fewer answer it sooner.
   */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
  /** A delivery taken by an instance that then died goes back to the queue after this long. */
  WORKER_LOCK_DURATION: duration.default(30_000),
  /** On SIGTERM, how long running deliveries may take before they are handed back to the queue. */
  SHUTDOWN_TIMEOUT: duration.default(25_000),
};

/** The environment the bridge reads, parsed once at start. Unknown variables are other programs' business. */
export const configSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  RULES_DIR: z.string().min(1).default('./rules'),
  WEBHOOK_TOKEN: optionalSecret,
  API_TOKEN: optionalSecret,
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  MAX_BODY_BYTES: bytes.default(1024 * 1024),
  /** Take an embedded-mode snapshot once the journal segment has grown this big. */
  SNAPSHOT_AFTER_BYTES: bytes.default(64 * 1024 * 1024),
  /** How often the SLA check looks for warnings (75% of the resolution time) and breaches. */
  SLA_CHECK_INTERVAL: duration.default(30_000),
  /**
   * Threads that check webhook bodies (JSON and schema) for the thread answering senders; 0: that
   * thread checks them itself. Unset: one in production mode on a machine of two cores or more, else 0.
   */
  CHECK_THREADS: z.coerce.number().int().min(0).max(16).optional(),
  ...productionSettings,
});

/** Rules that tie variables together. */
const checkedConfigSchema = configSchema
  .refine((c) => (c.REDIS_SENTINELS === undefined) === (c.REDIS_SENTINEL_MASTER === undefined), {
    path: ['REDIS_SENTINEL_MASTER'],
    message: 'REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together',
  })
  .refine((c) => c.REDIS_SENTINELS === undefined || c.REDIS_URL !== undefined, {
    path: ['REDIS_URL'],
    message: 'required with REDIS_SENTINELS (it gives the credentials, database and TLS of the master)',
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value stops the start with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = checkedConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
}

const SECRETS: readonly (keyof Config)[] = ['WEBHOOK_TOKEN', 'API_TOKEN', 'REDIS_SENTINEL_PASSWORD'];

/** The configuration as it may be logged: secrets show as `<secret>`, so does the password in REDIS_URL. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const k of SECRETS) if (out[k] !== undefined) out[k] = '<secret>';
  if (config.REDIS_URL !== undefined) out.REDIS_URL = redactUrlPassword(config.REDIS_URL);
  return out;
}

function redactUrlPassword(url: string): string {
  const u = new URL(url);
  if (u.password === '') return url;
  u.password = 'secret';
  return u.toString().replace(':secret@', ':<secret>@');
}
