import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { contextSources, dockerfileStages, isDockerIgnored, isPinnedImage } from '../helpers/docker-files.js';
import { runProgram } from '../helpers/run-program.js';

// What CI can check of the compose stack without a Docker engine (there is none on the CI machine):
// the files parse, pass the real tools' checks (promtool, amtool), refer to files that exist, pin
// their images, and agree with each other on names, paths and ports.

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const volumeSchema = z.union([
  z.string(),
  z.looseObject({ type: z.string(), source: z.string().optional(), target: z.string() }),
]);
const serviceSchema = z.looseObject({
  image: z.string().optional(),
  build: z
    .union([z.string(), z.looseObject({ context: z.string(), dockerfile: z.string().optional() })])
    .optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  environment: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
  env_file: z.union([z.string(), z.array(z.string())]).optional(),
  volumes: z.array(volumeSchema).optional(),
  secrets: z.array(z.union([z.string(), z.looseObject({ source: z.string() })])).optional(),
  ports: z.array(z.union([z.string(), z.number(), z.looseObject({})])).optional(),
});
const composeSchema = z.looseObject({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown()).optional(),
  secrets: z
    .record(z.string(), z.looseObject({ file: z.string().optional(), environment: z.string().optional() }))
    .optional(),
  configs: z.record(z.string(), z.looseObject({ file: z.string().optional() })).optional(),
});
type Service = z.infer<typeof serviceSchema>;

const compose = composeSchema.parse(parse(read('docker-compose.yml')));

interface Mount {
  readonly source: string;
  readonly target: string;
  /** A path of the repository (bind mount), or null for a named volume. */
  readonly hostPath: string | null;
}

function mountsOf(service: Service): Mount[] {
  return (service.volumes ?? []).map((v) => {
    const [source = '', target = ''] = typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target];
    const bind = typeof v === 'string' ? /^[./~]/.test(source) : v.type === 'bind';
    return { source, target, hostPath: bind ? posix.normalize(source) : null };
  });
}

/** The repository path behind a path inside a service's container, through its bind mounts. */
function hostPathOf(service: Service, containerPath: string): string | null {
  for (const m of mountsOf(service)) {
    if (m.hostPath === null) continue;
    if (containerPath === m.target) return m.hostPath;
    if (containerPath.startsWith(`${m.target}/`))
      return posix.join(m.hostPath, containerPath.slice(m.target.length + 1));
  }
  return null;
}

function environmentOf(service: Service): Record<string, string | null> {
  const env = service.environment ?? {};
  if (!Array.isArray(env))
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? null : String(v)]));
  return Object.fromEntries(
    env.map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, null])),
  );
}

/** The one service whose image is `repository` (any tag). */
function serviceByImage(repository: string): [string, Service] {
  const found = Object.entries(compose.services).filter(([, s]) => s.image?.split(':')[0] === repository);
  expect(found, `one service runs ${repository}`).toHaveLength(1);
  return found[0] as [string, Service];
}

const [bridgeName, bridge] = (() => {
  const built = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
  if (built.length !== 1)
    throw new Error(`expected one service built from this repository, got ${built.length}`);
  return built[0] as [string, Service];
})();

/** The host (a compose service name) and port of a URL or a `host:port` target. */
function serviceAddress(target: string): { service: string; port: string } {
  const [host = '', port = ''] =
    target
      .replace(/^\w+:\/\//, '')
      .split('/')[0]
      ?.split(':') ?? [];
  return { service: host, port };
}

function globMatches(pattern: string): string[] {
  const dir = posix.dirname(pattern);
  const re = new RegExp(
    `^${posix
      .basename(pattern)
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')}$`,
  );
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir))
    .filter((f) => re.test(f))
    .map((f) => posix.join(dir, f));
}

describe('the Prometheus rules about the bridge', () => {
  const ruleFiles = readdirSync(join(ROOT, 'rules', 'prometheus'))
    .filter((f) => f.endsWith('.rules.yml'))
    .map((f) => `rules/prometheus/${f}`);

  it('pass promtool check rules', async () => {
    expect(ruleFiles).toContain('rules/prometheus/incident-bridge.rules.yml');
    const run = await runProgram('promtool', ['check', 'rules', ...ruleFiles], ROOT);
    expect(run.code, run.output).toBe(0);
  });

  it('pass their promtool unit tests', async () => {
    const run = await runProgram(
      'promtool',
      ['test', 'rules', 'incident-bridge.rules.test.yml'],
      join(ROOT, 'rules', 'prometheus'),
    );
    expect(run.code, run.output).toBe(0);
  });

  it('give every alert a for, a severity, a summary, a description and a runbook', () => {
    const doc = z
      .object({
        groups: z.array(
          z.object({
            rules: z.array(
              z.looseObject({
                alert: z.string().optional(),
                for: z.string().optional(),
                labels: z.record(z.string(), z.string()).optional(),
                annotations: z.record(z.string(), z.string()).optional(),
              }),
            ),
          }),
        ),
      })
      .parse(parse(read('rules/prometheus/incident-bridge.rules.yml')));
    const alerts = doc.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    for (const a of alerts) {
      expect(a.for, a.alert).toMatch(/^\d+[smh]$/);
      expect(a.labels?.severity, a.alert).toMatch(/^(critical|warning)$/);
      expect(Object.keys(a.annotations ?? {}).sort(), a.alert).toEqual(['description', 'runbook', 'summary']);
    }
  });
});

describe('the Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfileStages(dockerfile);
  const runtime = stages.at(-1);

  it('builds from base images pinned by version', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = new Set(stages.map((s) => s.name));
    for (const s of stages) if (!names.has(s.image)) expect(isPinnedImage(s.image), s.image).toBe(true);
  });

  it('runs the bridge as a user other than root, on port 8080, the way npm start does', () => {
    const users = runtime?.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args) ?? [];
    expect(users.length, 'the runtime stage sets a USER').toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime?.instructions.find((i) => i.keyword === 'EXPOSE')?.args).toBe('8080');
    const cmd = JSON.parse(runtime?.instructions.find((i) => i.keyword === 'CMD')?.args ?? '[]') as string[];
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(cmd.join(' ')).toBe(pkg.scripts.start);
  });

  it('ships production dependencies only in the runtime stage', () => {
    const runs = runtime?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args) ?? [];
    expect(runs.some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(stages[0]?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build'))).toBe(
      true,
    );
  });

  it('copies only files that exist and that .dockerignore keeps in the build context', () => {
    const dockerignore = read('.dockerignore');
    const sources = stages.flatMap((s) => s.instructions.flatMap(contextSources));
    expect(sources).toEqual(expect.arrayContaining(['package-lock.json', 'src', 'rules']));
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true);
      expect(isDockerIgnored(src, dockerignore), `${src} is not in .dockerignore`).toBe(false);
    }
    for (const local of ['node_modules', 'dist/main.js', 'data/journal', '.git/HEAD', '.env'])
      expect(isDockerIgnored(local, dockerignore), `${local} stays out of the build context`).toBe(true);
  });
});

describe('docker-compose.yml', () => {
  it('pins every image by version', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build !== undefined) continue;
      expect(s.image, `${name} has an image`).toBeDefined();
      expect(isPinnedImage(s.image ?? ''), `${name}: ${s.image}`).toBe(true);
    }
  });

  it('refers only to files and directories that exist, and to declared volumes and secrets', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build !== undefined) {
        const b = typeof s.build === 'string' ? { context: s.build } : s.build;
        expect(existsSync(join(ROOT, b.context)), `${name}: build context ${b.context}`).toBe(true);
        const dockerfile = join(b.context, b.dockerfile ?? 'Dockerfile');
        expect(existsSync(join(ROOT, dockerfile)), `${name}: ${dockerfile}`).toBe(true);
      }
      for (const f of [s.env_file ?? []].flat())
        expect(existsSync(join(ROOT, f)), `${name}: ${f}`).toBe(true);
      for (const m of mountsOf(s)) {
        if (m.hostPath === null)
          expect(compose.volumes, `${name}: volume ${m.source}`).toHaveProperty(m.source);
        else expect(existsSync(join(ROOT, m.hostPath)), `${name}: mount ${m.source}`).toBe(true);
      }
      for (const secret of s.secrets ?? []) {
        const id = typeof secret === 'string' ? secret : secret.source;
        expect(compose.secrets, `${name}: secret ${id}`).toHaveProperty(id);
      }
    }
    for (const [id, secret] of Object.entries(compose.secrets ?? {}))
      if (secret.file !== undefined) expect(existsSync(join(ROOT, secret.file)), `secret ${id}`).toBe(true);
    for (const [id, config] of Object.entries(compose.configs ?? {}))
      if (config.file !== undefined) expect(existsSync(join(ROOT, config.file)), `config ${id}`).toBe(true);
  });

  it('runs the bridge on Redis with its rules and a webhook token', () => {
    const env = environmentOf(bridge);
    const redisUrl = serviceAddress(env.REDIS_URL ?? '');
    const [redisName, redis] = serviceByImage('redis');
    expect(redisUrl).toEqual({ service: redisName, port: '6379' });
    expect(env.WEBHOOK_TOKEN).toMatch(/^\$\{WEBHOOK_TOKEN[:?}]/);
    const [alertmanagerName] = serviceByImage('prom/alertmanager');
    expect(serviceAddress(env.ALERTMANAGER_URL ?? '')).toEqual({ service: alertmanagerName, port: '9093' });
    const rulesDir = hostPathOf(bridge, env.RULES_DIR ?? '');
    expect(rulesDir, 'RULES_DIR is mounted from the repository').toBe('rules');
    expect(existsSync(join(ROOT, 'rules', 'grouping.yml'))).toBe(true);

    const command = [redis.command ?? []].flat().join(' ');
    expect(command).toMatch(/--appendonly yes/);
    const data = mountsOf(redis).find((m) => m.target === '/data');
    expect(data?.hostPath, 'the append-only file is on a named volume').toBeNull();
  });

  it('has Prometheus scrape the bridge and load the bridge alerts, not their unit tests', async () => {
    const [, prometheus] = serviceByImage('prom/prometheus');
    const configPath = hostPathOf(prometheus, '/etc/prometheus/prometheus.yml');
    expect(configPath).toBe('deploy/prometheus/prometheus.yml');
    const check = await runProgram('promtool', ['check', 'config', '--syntax-only', configPath ?? ''], ROOT);
    expect(check.code, check.output).toBe(0);

    const config = z
      .looseObject({
        rule_files: z.array(z.string()),
        alerting: z.looseObject({
          alertmanagers: z.array(
            z.looseObject({ static_configs: z.array(z.object({ targets: z.array(z.string()) })) }),
          ),
        }),
        scrape_configs: z.array(
          z.looseObject({
            job_name: z.string(),
            static_configs: z.array(z.object({ targets: z.array(z.string()) })),
          }),
        ),
      })
      .parse(parse(read(configPath ?? '')));
    const loaded = config.rule_files.flatMap((pattern) => {
      const host = hostPathOf(prometheus, pattern);
      expect(host, `${pattern} is mounted from the repository`).not.toBeNull();
      return globMatches(host ?? '');
    });
    expect(loaded).toEqual(['rules/prometheus/incident-bridge.rules.yml']);

    // The alerts select job="incident-bridge".
    const job = config.scrape_configs.find((c) => c.job_name === 'incident-bridge');
    const targets = job?.static_configs.flatMap((c) => c.targets) ?? [];
    expect(targets.map(serviceAddress)).toEqual([{ service: bridgeName, port: '8080' }]);

    const [alertmanagerName] = serviceByImage('prom/alertmanager');
    const am = config.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets));
    expect(am.map(serviceAddress)).toEqual([{ service: alertmanagerName, port: '9093' }]);
  });

  it('has Alertmanager send every alert, resolved ones too, to the bridge with its bearer token', async () => {
    const [, alertmanager] = serviceByImage('prom/alertmanager');
    const configPath = hostPathOf(alertmanager, '/etc/alertmanager/alertmanager.yml');
    expect(configPath).toBe('deploy/alertmanager/alertmanager.yml');
    const check = await runProgram('amtool', ['check-config', configPath ?? ''], ROOT);
    expect(check.code, check.output).toBe(0);

    const config = z
      .looseObject({
        route: z.looseObject({ receiver: z.string() }),
        receivers: z.array(
          z.looseObject({
            name: z.string(),
            webhook_configs: z.array(
              z.looseObject({
                url: z.string(),
                send_resolved: z.boolean(),
                http_config: z.looseObject({
                  authorization: z.looseObject({ type: z.string(), credentials_file: z.string() }),
                }),
              }),
            ),
          }),
        ),
      })
      .parse(parse(read(configPath ?? '')));
    const receiver = config.receivers.find((r) => r.name === config.route.receiver);
    const hook = receiver?.webhook_configs[0];
    expect(serviceAddress(hook?.url ?? '')).toEqual({ service: bridgeName, port: '8080' });
    expect(new URL(hook?.url ?? '').pathname).toBe('/webhooks/alertmanager');
    expect(hook?.send_resolved).toBe(true);
    expect(hook?.http_config.authorization.type).toBe('Bearer');

    // The token file is the compose secret made of the same WEBHOOK_TOKEN the bridge gets.
    const secret = /^\/run\/secrets\/([\w.-]+)$/.exec(
      hook?.http_config.authorization.credentials_file ?? '',
    )?.[1];
    expect(alertmanager.secrets).toContain(secret);
    expect(compose.secrets?.[secret ?? '']?.environment).toBe('WEBHOOK_TOKEN');
  });

  it('provisions Grafana with the Prometheus data source and the dashboards directory', () => {
    const [, grafana] = serviceByImage('grafana/grafana');
    const provisioning = hostPathOf(grafana, '/etc/grafana/provisioning');
    expect(provisioning).toBe('deploy/grafana/provisioning');

    const datasources = z
      .object({
        apiVersion: z.literal(1),
        datasources: z.array(z.looseObject({ type: z.string(), url: z.string(), uid: z.string() })),
      })
      .parse(parse(read(`${provisioning}/datasources/prometheus.yml`)));
    const [prometheusName] = serviceByImage('prom/prometheus');
    expect(datasources.datasources.map((d) => [d.type, serviceAddress(d.url)])).toEqual([
      ['prometheus', { service: prometheusName, port: '9090' }],
    ]);

    const providers = z
      .object({
        apiVersion: z.literal(1),
        providers: z.array(
          z.looseObject({ type: z.literal('file'), options: z.looseObject({ path: z.string() }) }),
        ),
      })
      .parse(parse(read(`${provisioning}/dashboards/incident-bridge.yml`)));
    const dashboards = providers.providers.map((p) => hostPathOf(grafana, p.options.path));
    expect(dashboards).toEqual(['dashboards']);
    expect(readdirSync(join(ROOT, 'dashboards'))).toContain('incident-bridge.json');
  });
});

describe('the Grafana dashboard file', () => {
  it('is a dashboard with unique panel ids and a Prometheus query in every panel', () => {
    const file = 'dashboards/incident-bridge.json';
    const dashboard = JSON.parse(read(file)) as {
      uid: string;
      schemaVersion: number;
      panels: { id: number; type: string; targets?: { expr?: string }[] }[];
    };
    expect(basename(file, '.json')).toBe(dashboard.uid);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels.filter((x) => x.type !== 'row'))
      expect(
        p.targets?.every((t) => (t.expr ?? '') !== ''),
        `panel ${p.id}`,
      ).toBe(true);
  });
});
