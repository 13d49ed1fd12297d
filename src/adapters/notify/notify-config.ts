import { z } from 'zod';
import { ConfigError } from '../../config.js';

/** The `NOTIFY_*` variables. Without `NOTIFY_URL` nobody is notified (the Jira comments still tell). */
export const notifyEnvSchema = z.object({
  NOTIFY_URL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .pipe(z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional()),
  /** Sent as `Authorization: Bearer <token>`. */
  NOTIFY_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v)),
  NOTIFY_TIMEOUT: z.coerce.number().int().min(100).max(120_000).default(5000),
  /** Tries per message (the first included) before it is dropped. */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** Wait before the second try; doubles per try (with jitter), unless the target sends Retry-After. */
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
  /** Messages waiting at most; past it new ones are dropped. */
  NOTIFY_QUEUE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(1000),
});

export interface NotifySettings {
  readonly url: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly queueMax: number;
}

/** Parses the `NOTIFY_*` variables; a bad one stops the start with a message naming it. Null: no target. */
export function loadNotifySettings(env: NodeJS.ProcessEnv): NotifySettings | null {
  const parsed = notifyEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const c = parsed.data;
  if (c.NOTIFY_URL === undefined) return null;
  return {
    url: c.NOTIFY_URL,
    token: c.NOTIFY_TOKEN,
    timeoutMs: c.NOTIFY_TIMEOUT,
    maxAttempts: c.NOTIFY_MAX_ATTEMPTS,
    retryBaseMs: c.NOTIFY_RETRY_BASE_MS,
    queueMax: c.NOTIFY_QUEUE_MAX,
  };
}

/** What the start log may show: the target without its query string, never the token. */
export function redactNotifySettings(s: NotifySettings): Record<string, unknown> {
  const u = new URL(s.url);
  return {
    url: `${u.origin}${u.pathname}`,
    token: s.token === undefined ? undefined : '<secret>',
    timeoutMs: s.timeoutMs,
    maxAttempts: s.maxAttempts,
  };
}
