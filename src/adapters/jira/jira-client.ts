import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { Logger } from '../../app/ports.js';
import type { JiraSettings } from './jira-config.js';

/** A Jira call that did not succeed: its HTTP status (null when no answer came) and Jira's own messages. */
export class JiraError extends Error {
  constructor(
    readonly op: string,
    readonly status: number | null,
    readonly messages: readonly string[],
    readonly retryable: boolean,
  ) {
    super(
      `jira ${op} failed${status === null ? '' : ` with HTTP ${status}`}${messages.length ? `: ${messages.join('; ')}` : ''}`,
    );
  }
}

export interface JiraCallMetrics {
  call(op: string, outcome: string, seconds: number): void;
  rateLimitWait(seconds: number): void;
}

export interface JiraClientDeps {
  readonly settings: JiraSettings;
  readonly logger: Logger;
  readonly metrics?: JiraCallMetrics | undefined;
  /** First backoff delay; doubled per attempt up to 30 s, with jitter. */
  readonly retryBaseMs?: number | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

const MAX_BACKOFF_MS = 30_000;
const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `Retry-After` is seconds or an HTTP date. */
export function retryAfterMs(header: unknown, now: number): number | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function jiraMessages(data: unknown): string[] {
  if (typeof data !== 'object' || data === null)
    return typeof data === 'string' && data ? [data.slice(0, 300)] : [];
  const d = data as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const out: string[] = [];
  if (Array.isArray(d.errorMessages)) out.push(...d.errorMessages.map(String));
  if (typeof d.errors === 'object' && d.errors !== null) {
    for (const [k, v] of Object.entries(d.errors)) out.push(`${k}: ${String(v)}`);
  }
  if (typeof d.message === 'string') out.push(d.message);
  return out;
}

/**
 * A thin typed client for Jira's REST API. It retries 429, 5xx and network errors, honouring
 * `Retry-After` for every call it makes (no call leaves before the wait is over), and otherwise backs
 * off exponentially with jitter. It never logs credentials.
 */
export class JiraClient {
  private readonly http: AxiosInstance;
  private notBefore = 0;
  readonly apiBase: string;

  constructor(private readonly deps: JiraClientDeps) {
    const s = deps.settings;
    const ca = s.caFile ? [...rootCertificates, readFileSync(s.caFile, 'utf8')] : undefined;
    this.apiBase = `/rest/api/${s.apiVersion}`;
    this.http = axios.create({
      baseURL: s.baseUrl,
      timeout: s.timeoutMs,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 16, ...(ca ? { ca } : {}) }),
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'User-Agent': 'incident-bridge',
        Authorization:
          s.auth.type === 'basic'
            ? `Basic ${Buffer.from(`${s.auth.email}:${s.auth.token}`).toString('base64')}`
            : `Bearer ${s.auth.token}`,
      },
      validateStatus: () => true,
      maxRedirects: 0,
    });
  }

  get apiVersion(): 2 | 3 {
    return this.deps.settings.apiVersion;
  }

  browseUrl(key: string): string {
    return `${this.deps.settings.baseUrl}/browse/${key}`;
  }

  private backoff(attempt: number): number {
    const base = this.deps.retryBaseMs ?? 2000;
    const ceiling = Math.min(MAX_BACKOFF_MS, base * 2 ** attempt);
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  /** Calls `method path` under `/rest/api/<version>`, retrying what can be retried. */
  async request<T>(
    op: string,
    method: Method,
    path: string,
    options: { params?: unknown; data?: unknown; idempotent?: boolean } = {},
  ): Promise<T> {
    const sleep = this.deps.sleep ?? defaultSleep;
    const max = this.deps.settings.maxRetries;
    for (let attempt = 0; ; attempt++) {
      const wait = this.notBefore - Date.now();
      if (wait > 0) {
        this.deps.metrics?.rateLimitWait(wait / 1000);
        await sleep(wait);
      }
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      let res: AxiosResponse;
      try {
        res = await this.http.request({
          method,
          url: `${this.apiBase}${path}`,
          params: options.params,
          data: options.data,
        });
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'network';
        this.deps.metrics?.call(op, 'network-error', seconds());
        this.deps.logger.warn('jira request failed', { op, attempt, error: code });
        // A lost answer to a create or a comment may hide a success: sending it again could duplicate
        // it. The caller's job fails instead and starts over by looking at what Jira holds.
        const idempotent = options.idempotent ?? method.toUpperCase() !== 'POST';
        if (attempt >= max || !idempotent) throw new JiraError(op, null, [code], true);
        await sleep(this.backoff(attempt));
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        this.deps.metrics?.call(op, 'ok', seconds());
        return res.data as T;
      }
      const messages = jiraMessages(res.data);
      const limited = res.status === 429 || res.status === 503;
      const retryable = limited || res.status >= 500 || res.status === 408;
      this.deps.metrics?.call(op, limited ? 'rate-limited' : `http-${res.status}`, seconds());
      this.deps.logger.warn('jira request failed', { op, attempt, status: res.status, messages });
      if (!retryable || attempt >= max) throw new JiraError(op, res.status, messages, retryable);
      const after = limited ? retryAfterMs(res.headers['retry-after'], Date.now()) : null;
      if (after !== null) {
        // Every call of this client waits, not only this one: Jira asked us all to hold off.
        this.notBefore = Math.max(this.notBefore, Date.now() + after);
      } else {
        await sleep(this.backoff(attempt));
      }
    }
  }
}
