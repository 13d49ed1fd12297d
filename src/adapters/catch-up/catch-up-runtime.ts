import type { Registry } from 'prom-client';
import { catchUp } from '../../app/catch-up.js';
import type { SenderReader } from '../../app/catch-up-ports.js';
import { CatchUpScheduler } from '../../app/catch-up-scheduler.js';
import type { Clock, IncidentStore, Intake, Logger } from '../../app/ports.js';
import type { Locks } from '../../app/tracker-ports.js';
import { ConfigError } from '../../config.js';
import type { GroupingRules } from '../../domain/grouping.js';
import type { Source } from '../../domain/model.js';
import { AlertmanagerApi } from '../alertmanager/alertmanager-api.js';
import { AlertmanagerResync } from '../alertmanager/alertmanager-resync.js';
import { createCatchUpMetrics } from '../metrics/catch-up-metrics.js';
import type { CatchUpRules } from '../rules/catch-up-rules.js';
import { ZabbixApi } from '../zabbix/zabbix-api.js';
import { ZabbixCatchUp } from '../zabbix/zabbix-catch-up.js';
import { type CatchUpSettings, catchUpEnvSchema, catchUpSettings, redactUrl } from './catch-up-config.js';

/** The catch-up variables, checked like the rest: a bad one stops the start naming it. */
export function loadCatchUpSettings(env: NodeJS.ProcessEnv): CatchUpSettings {
  const parsed = catchUpEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  return catchUpSettings(parsed.data);
}

export interface CatchUpRuntimeDeps {
  readonly settings: CatchUpSettings;
  readonly rules: CatchUpRules;
  readonly store: IncidentStore;
  readonly intake: Intake;
  readonly grouping: GroupingRules;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Shared by every instance in production mode: one pass at a time across them. */
  readonly locks: Locks;
}

export interface CatchUpRuntime {
  /** Stops the schedules and waits for the passes in hand. */
  close(): Promise<void>;
}

/**
 * Starts a catch-up schedule for each sender whose API is configured (Zabbix: `ZABBIX_URL`,
 * Alertmanager: `ALERTMANAGER_URL`); the first pass of each runs at once, in the background.
 */
export function startCatchUp(deps: CatchUpRuntimeDeps): CatchUpRuntime {
  const { settings, logger } = deps;
  const sources: Source[] = [];
  if (settings.zabbix) sources.push('zabbix');
  if (settings.alertmanager) sources.push('alertmanager');
  if (sources.length === 0) return { close: async () => undefined };

  const metrics = createCatchUpMetrics(deps.registry, sources);
  const schedulers: CatchUpScheduler[] = [];
  const onClose: (() => Promise<void>)[] = [];
  const schedule = (reader: SenderReader, everyMs: number): void => {
    const scheduler = new CatchUpScheduler(
      { locks: deps.locks, logger, metrics },
      { source: reader.source, everyMs, run: (signal) => catchUp({ ...deps, metrics }, reader, signal) },
    );
    schedulers.push(scheduler);
    scheduler.start();
  };

  if (settings.zabbix) {
    const z = settings.zabbix;
    const api = new ZabbixApi({
      url: z.apiUrl,
      auth: z.auth,
      timeoutMs: settings.timeoutMs,
      onError: (op) => metrics.apiError('zabbix', op),
    });
    schedule(
      new ZabbixCatchUp({ api, frontendUrl: z.frontendUrl, rules: deps.rules.zabbix, logger }),
      z.everyMs,
    );
    onClose.push(() => api.logout(AbortSignal.timeout(2000)));
    logger.info('zabbix catch-up started', { url: z.apiUrl, auth: z.auth.type, everyMs: z.everyMs });
  }

  if (settings.alertmanager) {
    const am = settings.alertmanager;
    const apis = am.urls.map((url) => new AlertmanagerApi({ url, timeoutMs: settings.timeoutMs }));
    schedule(
      new AlertmanagerResync({
        apis,
        receivers: deps.rules.alertmanager.receivers,
        minUptimeMs: am.minUptimeMs,
        clock: deps.clock,
        logger,
        metrics,
      }),
      am.everyMs,
    );
    logger.info('alertmanager resync started', {
      urls: am.urls.map(redactUrl),
      everyMs: am.everyMs,
      minUptimeMs: am.minUptimeMs,
    });
  }

  return {
    async close() {
      await Promise.all(schedulers.map((s) => s.close()));
      await Promise.all(onClose.map((f) => f()));
    },
  };
}
