import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type HttpDaemon, startHttpDaemon } from './http-daemon.js';

const BINARY = process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';

/** An alert as `POST /api/v2/alerts` takes it (what Prometheus sends). */
export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly startsAt?: string;
  /** In the past: resolved. Unset: Alertmanager's `resolve_timeout` from now. */
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/** A real Alertmanager (Debian's `prometheus-alertmanager`), alone: clustering is off. */
export interface AlertmanagerServer extends HttpDaemon {
  /** Pushes alerts as Prometheus does. */
  push(alerts: readonly PostableAlert[]): Promise<void>;
  /** `GET /api/v2/alerts`: what it holds as active, silenced or inhibited. */
  alerts(): Promise<{ fingerprint: string; labels: Record<string, string>; status: { state: string } }[]>;
  /** Silences alerts whose labels equal `matchers` for an hour; answers the silence id. */
  silence(matchers: Record<string, string>): Promise<string>;
}

async function call(url: string, init?: RequestInit): Promise<unknown> {
  const r = await fetch(url, init);
  const text = await r.text();
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${r.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

/**
 * Starts Alertmanager on a free loopback port with `config` (the `alertmanager.yml` content, as an
 * object) and a temporary storage directory. Call `stop()` when done.
 */
export async function startAlertmanager(config: Record<string, unknown>): Promise<AlertmanagerServer> {
  const daemon = await startHttpDaemon({
    binary: BINARY,
    debianPackage: 'prometheus-alertmanager',
    name: 'alertmanager',
    readyPath: '/-/ready',
    args: (port, dir) => {
      const file = join(dir, 'alertmanager.yml');
      writeFileSync(file, stringify(config));
      return [
        `--config.file=${file}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Empty: no gossip, no cluster port; each test's Alertmanager stands alone.
        '--cluster.listen-address=',
        '--log.level=warn',
      ];
    },
  });
  const api = `${daemon.url}/api/v2`;
  return {
    ...daemon,
    async push(alerts) {
      await call(`${api}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
    },
    async alerts() {
      return (await call(
        `${api}/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`,
      )) as Awaited<ReturnType<AlertmanagerServer['alerts']>>;
    },
    async silence(matchers) {
      const now = Date.now();
      const answer = (await call(`${api}/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: Object.entries(matchers).map(([name, value]) => ({
            name,
            value,
            isRegex: false,
            isEqual: true,
          })),
          startsAt: new Date(now - 1000).toISOString(),
          endsAt: new Date(now + 3_600_000).toISOString(),
          createdBy: 'incident-bridge tests',
          comment: 'test silence',
        }),
      })) as { silenceID: string };
      return answer.silenceID;
    },
  };
}
