import { Counter, Gauge, type Registry } from 'prom-client';
import type { CatchUpMetrics } from '../../app/catch-up-ports.js';
import { CATCH_UP_KINDS } from '../../domain/catch-up-plan.js';
import type { Source } from '../../domain/model.js';

/** Catch-up passes, what they caught up, and the senders' API errors, on the bridge's registry. */
export function createCatchUpMetrics(registry: Registry, sources: readonly Source[]): CatchUpMetrics {
  const items = new Counter({
    name: 'incident_bridge_catchup_items_total',
    help: 'Events the bridge had missed and took from a sender API, by source and kind (missed-firing, missed-resolve).',
    labelNames: ['source', 'kind'],
    registers: [registry],
  });
  const runs = new Counter({
    name: 'incident_bridge_catchup_runs_total',
    help: 'Catch-up passes by source and outcome (ok, failed, skipped: another instance ran it).',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'incident_bridge_catchup_api_errors_total',
    help: 'Failed calls to a sender API (Zabbix JSON-RPC, Alertmanager HTTP API), by source and operation.',
    labelNames: ['source', 'op'],
    registers: [registry],
  });
  const lastOk = new Gauge({
    name: 'incident_bridge_catchup_last_success_timestamp_seconds',
    help: 'When the last catch-up pass of a source succeeded (Unix time).',
    labelNames: ['source'],
    registers: [registry],
  });
  for (const source of sources) {
    for (const kind of CATCH_UP_KINDS) items.inc({ source, kind }, 0);
    runs.inc({ source, outcome: 'failed' }, 0);
  }
  return {
    caughtUp: (source, kind, count) => items.inc({ source, kind }, count),
    run(source, outcome) {
      runs.inc({ source, outcome });
      if (outcome === 'ok') lastOk.set({ source }, Date.now() / 1000);
    },
    apiError: (source, op) => errors.inc({ source, op }),
  };
}
