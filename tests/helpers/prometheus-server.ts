import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type HttpDaemon, startHttpDaemon } from './http-daemon.js';

const BINARY = process.env.PROMETHEUS_BIN ?? 'prometheus';

export interface PrometheusOptions {
  /** `host:port` targets scraped at `/metrics`. */
  readonly targets: readonly string[];
  /** `host:port` of the Alertmanagers it sends alerts to. */
  readonly alertmanagers: readonly string[];
  /** One rule group's rules, as in a rules file. */
  readonly rules: readonly Record<string, unknown>[];
  /** Scrape and rule evaluation interval (default `1s`). */
  readonly interval?: string;
}

/** Starts a real Prometheus (Debian's `prometheus`) on a free loopback port, TSDB in a temporary directory. */
export async function startPrometheus(options: PrometheusOptions): Promise<HttpDaemon> {
  const interval = options.interval ?? '1s';
  return startHttpDaemon({
    binary: BINARY,
    debianPackage: 'prometheus',
    name: 'prometheus',
    readyPath: '/-/ready',
    args: (port, dir) => {
      const rules = join(dir, 'rules.yml');
      writeFileSync(rules, stringify({ groups: [{ name: 'test', interval, rules: options.rules }] }));
      const config = join(dir, 'prometheus.yml');
      writeFileSync(
        config,
        stringify({
          global: { scrape_interval: interval, evaluation_interval: interval },
          rule_files: [rules],
          alerting: { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] },
          scrape_configs: [{ job_name: 'test', static_configs: [{ targets: options.targets }] }],
        }),
      );
      return [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ];
    },
  });
}
