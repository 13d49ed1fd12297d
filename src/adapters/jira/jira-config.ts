import { z } from 'zod';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The `JIRA_*` variables. Without `JIRA_URL` the bridge runs with no tracker. */
export const jiraEnvSchema = z
  .object({
    JIRA_URL: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim().replace(/\/+$/, '')))
      .pipe(z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional()),
    JIRA_PROJECT: optional,
    JIRA_API_VERSION: z.enum(['2', '3']).optional(),
    JIRA_EMAIL: optional,
    JIRA_API_TOKEN: optional,
    JIRA_PAT: optional,
    JIRA_CA_FILE: optional,
    /** The secret of the Jira webhook: deliveries must carry `X-Hub-Signature: sha256=<HMAC>`. */
    JIRA_WEBHOOK_SECRET: optional,
    JIRA_TIMEOUT: z.coerce.number().int().min(100).max(120_000).default(15_000),
    /** How many times one call is retried on 429, 5xx or a network error before the job gives up for now. */
    JIRA_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(6),
    /** First backoff of a failed call when Jira gives no Retry-After; doubles up to 30 s, with jitter. */
    JIRA_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(2000),
    /** Changes of one incident within this time make one tracker job. */
    TRACKER_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    TRACKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** A failed tracker job is tried again after this, doubling up to TRACKER_RETRY_MAX_MS, until Jira takes it. */
    TRACKER_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
    TRACKER_RETRY_MAX_MS: z.coerce.number().int().min(10).max(3_600_000).default(300_000),
    /** Jira Cloud's search may lag writes by a few seconds: a lost create is searched for this long before another. */
    JIRA_SEARCH_LAG_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  })
  .superRefine((c, ctx) => {
    if (c.JIRA_URL === undefined) return;
    if (c.JIRA_PROJECT === undefined)
      ctx.addIssue({ code: 'custom', path: ['JIRA_PROJECT'], message: 'required with JIRA_URL' });
    const basic = c.JIRA_EMAIL !== undefined || c.JIRA_API_TOKEN !== undefined;
    if (basic && (c.JIRA_EMAIL === undefined || c.JIRA_API_TOKEN === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.JIRA_EMAIL ? 'JIRA_API_TOKEN' : 'JIRA_EMAIL'],
        message: 'JIRA_EMAIL and JIRA_API_TOKEN go together',
      });
    }
    if (!basic && c.JIRA_PAT === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['JIRA_PAT'],
        message: 'set JIRA_PAT, or JIRA_EMAIL and JIRA_API_TOKEN',
      });
    }
  });

export type JiraEnv = z.infer<typeof jiraEnvSchema>;

export interface JiraSettings {
  readonly baseUrl: string;
  readonly project: string;
  readonly apiVersion: 2 | 3;
  readonly auth:
    | { readonly type: 'basic'; readonly email: string; readonly token: string }
    | { readonly type: 'bearer'; readonly token: string };
  readonly caFile?: string | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseMs: number;
  readonly searchLagMs: number;
  readonly webhookSecret?: string | undefined;
  readonly queue: {
    readonly debounceMs: number;
    readonly concurrency: number;
    readonly retryBaseMs: number;
    readonly maxRetryMs: number;
  };
}

/** Jira Cloud (`*.atlassian.net`) speaks REST v3 by default; Data Center speaks v2. */
export function jiraSettings(env: JiraEnv): JiraSettings | null {
  if (env.JIRA_URL === undefined || env.JIRA_PROJECT === undefined) return null;
  const host = new URL(env.JIRA_URL).hostname;
  const apiVersion = env.JIRA_API_VERSION
    ? (Number(env.JIRA_API_VERSION) as 2 | 3)
    : host.endsWith('.atlassian.net')
      ? 3
      : 2;
  const auth =
    env.JIRA_EMAIL !== undefined && env.JIRA_API_TOKEN !== undefined
      ? ({ type: 'basic', email: env.JIRA_EMAIL, token: env.JIRA_API_TOKEN } as const)
      : ({ type: 'bearer', token: env.JIRA_PAT ?? '' } as const);
  return {
    baseUrl: env.JIRA_URL,
    project: env.JIRA_PROJECT,
    apiVersion,
    auth,
    caFile: env.JIRA_CA_FILE,
    timeoutMs: env.JIRA_TIMEOUT,
    maxRetries: env.JIRA_MAX_RETRIES,
    retryBaseMs: env.JIRA_RETRY_BASE_MS,
    searchLagMs: env.JIRA_SEARCH_LAG_MS,
    webhookSecret: env.JIRA_WEBHOOK_SECRET,
    queue: {
      debounceMs: env.TRACKER_DEBOUNCE_MS,
      concurrency: env.TRACKER_CONCURRENCY,
      retryBaseMs: env.TRACKER_RETRY_BASE_MS,
      maxRetryMs: env.TRACKER_RETRY_MAX_MS,
    },
  };
}

export const JIRA_SECRETS = ['JIRA_API_TOKEN', 'JIRA_PAT', 'JIRA_WEBHOOK_SECRET'] as const;
