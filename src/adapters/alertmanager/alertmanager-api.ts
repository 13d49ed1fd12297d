import type { z } from 'zod';
import {
  alertmanagerStatusSchema,
  type GettableAlert,
  gettableAlertsSchema,
} from './alertmanager-api-schemas.js';

export interface AlertmanagerApiOptions {
  /** Base URL, e.g. `http://alertmanager:9093` (with a path prefix if it runs under one). */
  readonly url: string;
  readonly timeoutMs: number;
}

/** Every alert it holds: firing ones that are notified, silenced, inhibited or not yet routed. */
const ALL_ACTIVE = 'active=true&silenced=true&inhibited=true&unprocessed=true';

/** One Alertmanager's HTTP API v2, read-only, as narrow as the resync needs it. */
export class AlertmanagerApi {
  private readonly base: string;
  private readonly authorization: string | undefined;

  constructor(private readonly options: AlertmanagerApiOptions) {
    // fetch refuses credentials in a URL: they travel as basic auth instead.
    const u = new URL(options.url);
    this.authorization =
      u.username === ''
        ? undefined
        : `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    u.username = '';
    u.password = '';
    this.base = u.toString().replace(/\/+$/, '');
  }

  /** The URL without credentials, fit for logs. */
  get url(): string {
    return this.base;
  }

  /** `GET /api/v2/alerts`: the alerts it holds now (resolved ones are never listed). */
  alerts(signal: AbortSignal): Promise<GettableAlert[]> {
    return this.get(`/api/v2/alerts?${ALL_ACTIVE}`, gettableAlertsSchema, signal);
  }

  /** When it started: an Alertmanager keeps no alerts across a restart until its senders send them again. */
  async startedAt(signal: AbortSignal): Promise<string> {
    return (await this.get('/api/v2/status', alertmanagerStatusSchema, signal)).uptime;
  }

  private async get<T>(path: string, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      headers: {
        accept: 'application/json',
        ...(this.authorization ? { authorization: this.authorization } : {}),
      },
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`GET ${path}: unexpected answer at ${first?.path.join('.')}: ${first?.message}`);
    }
    return parsed.data;
  }
}
