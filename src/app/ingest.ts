import type { GroupingRules } from '../domain/grouping.js';
import { groupAlert } from '../domain/grouping.js';
import { decideAlerts } from '../domain/incident-decisions.js';
import type { AlertEvent, Incident, IncidentEffect } from '../domain/model.js';
import type { PriorityRules } from '../domain/priority.js';
import { prioritizeOutcome } from '../domain/sla-clock.js';
import type { Delivery, IncidentStore, IngestDecision, Logger, Metrics } from './ports.js';

export interface IngestDeps {
  readonly store: IncidentStore;
  readonly grouping: GroupingRules;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Gives incidents their priority and SLA clock; without it they get none (tools that only ingest). */
  readonly priority?: PriorityRules | undefined;
}

export interface IngestOutcome {
  readonly decisions: IngestDecision[];
  readonly effects: IncidentEffect[];
  readonly changed: Incident[];
}

/**
 * Applies one delivery: its alerts are grouped by key and each key's events are decided against the
 * incident currently holding the key, atomically per key.
 */
export async function ingestDelivery(deps: IngestDeps, delivery: Delivery): Promise<IngestOutcome> {
  const byKey = new Map<string, { events: AlertEvent[]; policy: ReturnType<typeof groupAlert>['policy'] }>();
  for (const e of delivery.events) {
    const g = groupAlert(deps.grouping, e.source, e.labels);
    const entry = byKey.get(g.key);
    if (entry) entry.events.push(e);
    else byKey.set(g.key, { events: [e], policy: g.policy });
  }

  const outcome: IngestOutcome = { decisions: [], effects: [], changed: [] };
  await Promise.all(
    [...byKey].map(([key, { events, policy }]) =>
      deps.store.updateByKey(key, async (current) => {
        const ctx = { now: delivery.receivedAt, key, policy };
        let decided = decideAlerts(current, events, ctx);
        if (decided.kind === 'needs-id') {
          decided = decideAlerts(current, events, {
            ...ctx,
            newIncidentId: await deps.store.nextIncidentId(),
          });
        }
        if (decided.kind === 'needs-id') throw new Error('decision asked twice for an incident id');
        if (deps.priority) decided = prioritizeOutcome(decided, current, deps.priority, delivery.receivedAt);
        return { next: decided.incident, write: decided.changed, result: decided };
      }),
    ),
  ).then((results) => {
    // Collected after the store is done: a store may run the update more than once before it commits.
    for (const decided of results) {
      outcome.decisions.push(...decided.decisions);
      outcome.effects.push(...decided.effects);
      if (decided.changed && decided.incident) outcome.changed.push(decided.incident);
    }
  });

  for (const d of outcome.decisions) deps.metrics.decision(d.reason);
  deps.logger.debug('delivery applied', {
    source: delivery.source,
    alerts: delivery.events.length,
    incidents: byKey.size,
    reasons: countReasons(outcome.decisions),
  });
  return outcome;
}

function countReasons(decisions: readonly IngestDecision[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of decisions) counts[d.reason] = (counts[d.reason] ?? 0) + 1;
  return counts;
}
