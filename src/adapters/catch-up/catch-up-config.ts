import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';
import type { ZabbixAuth } from '../zabbix/zabbix-api.js';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const duration = (min: number) =>
  z.string().transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null || ms < min) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration such as 30s, 1m or 5m${min > 0 ? ` (at least ${min / 1000}s)` : ''}`,
      });
      return z.NEVER;
    }
    return ms;
  });

const httpUrl = (v: string): boolean => {
  if (!URL.canParse(v)) return false;
  const { protocol } = new URL(v);
  return protocol === 'http:' || protocol === 'https:';
};

/** The `ZABBIX_*`, `ALERTMANAGER_*` and `CATCHUP_*` variables: catch-up is on for each sender whose URL is set. */
export const catchUpEnvSchema = z
  .object({
    ZABBIX_URL: optional.refine((v) => v === undefined || httpUrl(v), 'expected an http(s) URL'),
    ZABBIX_API_TOKEN: optional,
    ZABBIX_USER: optional,
    ZABBIX_PASSWORD: optional,
    ZABBIX_SYNC_INTERVAL: duration(1000).default(60_000),
    ALERTMANAGER_URL: optional
      .transform((v) => (v === undefined ? [] : v.split(',').map((u) => u.trim().replace(/\/+$/, ''))))
      .refine((urls) => urls.every(httpUrl), 'expected http(s) URLs, separated by commas'),
    ALERTMANAGER_SYNC_INTERVAL: duration(1000).default(60_000),
    ALERTMANAGER_MIN_UPTIME: duration(0).default(120_000),
    CATCHUP_TIMEOUT: duration(100).default(10_000),
  })
  .superRefine((c, ctx) => {
    if (c.ZABBIX_URL === undefined) return;
    const password = c.ZABBIX_USER !== undefined || c.ZABBIX_PASSWORD !== undefined;
    if (password && (c.ZABBIX_USER === undefined || c.ZABBIX_PASSWORD === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.ZABBIX_USER === undefined ? 'ZABBIX_USER' : 'ZABBIX_PASSWORD'],
        message: 'ZABBIX_USER and ZABBIX_PASSWORD go together',
      });
    }
    if (password === (c.ZABBIX_API_TOKEN !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ZABBIX_API_TOKEN'],
        message: 'with ZABBIX_URL, set ZABBIX_API_TOKEN or ZABBIX_USER and ZABBIX_PASSWORD (not both)',
      });
    }
  });

export interface CatchUpSettings {
  readonly zabbix: {
    /** The JSON-RPC endpoint. */
    readonly apiUrl: string;
    /** The frontend, for links to problems. */
    readonly frontendUrl: string;
    readonly auth: ZabbixAuth;
    readonly everyMs: number;
  } | null;
  readonly alertmanager: {
    readonly urls: readonly string[];
    readonly everyMs: number;
    readonly minUptimeMs: number;
  } | null;
  readonly timeoutMs: number;
}

/** `https://zabbix.example.com` or `…/api_jsonrpc.php`: the API endpoint and the frontend it belongs to. */
function zabbixUrls(url: string): { apiUrl: string; frontendUrl: string } {
  const trimmed = url.replace(/\/+$/, '');
  if (trimmed.endsWith('.php')) return { apiUrl: trimmed, frontendUrl: trimmed.replace(/\/[^/]*$/, '') };
  return { apiUrl: `${trimmed}/api_jsonrpc.php`, frontendUrl: trimmed };
}

export function catchUpSettings(env: z.infer<typeof catchUpEnvSchema>): CatchUpSettings {
  const zabbixAuth: ZabbixAuth | null =
    env.ZABBIX_API_TOKEN !== undefined
      ? { type: 'token', token: env.ZABBIX_API_TOKEN }
      : env.ZABBIX_USER !== undefined && env.ZABBIX_PASSWORD !== undefined
        ? { type: 'password', user: env.ZABBIX_USER, password: env.ZABBIX_PASSWORD }
        : null;
  return {
    zabbix:
      env.ZABBIX_URL === undefined || zabbixAuth === null
        ? null
        : { ...zabbixUrls(env.ZABBIX_URL), auth: zabbixAuth, everyMs: env.ZABBIX_SYNC_INTERVAL },
    alertmanager:
      env.ALERTMANAGER_URL.length === 0
        ? null
        : {
            urls: env.ALERTMANAGER_URL,
            everyMs: env.ALERTMANAGER_SYNC_INTERVAL,
            minUptimeMs: env.ALERTMANAGER_MIN_UPTIME,
          },
    timeoutMs: env.CATCHUP_TIMEOUT,
  };
}

/** A URL as it may be logged: a password in it shows as `<secret>`. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password === '') return url;
  u.password = 'secret';
  return u.toString().replace(':secret@', ':<secret>@');
}
