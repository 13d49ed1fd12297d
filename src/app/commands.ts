import type { GroupingRules } from '../domain/grouping.js';
import { acknowledge, type CommandOutcome, close } from '../domain/incident-decisions.js';
import type { Incident } from '../domain/model.js';
import { recordTrackerLink } from '../domain/tracker-sync.js';
import { ingestDelivery } from './ingest.js';
import type { Command, CommandResult, EffectSink, IncidentStore, Logger, Metrics } from './ports.js';

export interface ExecutorDeps {
  readonly store: IncidentStore;
  readonly grouping: GroupingRules;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly effects: EffectSink;
}

export type Executor = (command: Command) => Promise<CommandResult>;

/** Carries out commands against the store; the same executor serves the embedded and the Redis mode. */
export function createExecutor(deps: ExecutorDeps): Executor {
  const onIncident = async (
    id: string,
    decide: (incident: Incident) => CommandOutcome,
  ): Promise<CommandResult> => {
    const outcome = await deps.store.updateById(id, async (incident) => {
      const o = decide(incident);
      return { next: o.kind === 'changed' ? o.incident : null, write: o.kind === 'changed', result: o };
    });
    if (outcome === null) return { type: 'incident', incident: null };
    if (outcome.kind === 'rejected') {
      return { type: 'incident', incident: await deps.store.get(id), rejected: outcome.why };
    }
    if (outcome.kind === 'changed') await deps.effects.publish(outcome.effects, [outcome.incident]);
    return { type: 'incident', incident: outcome.incident };
  };

  return async (command) => {
    switch (command.type) {
      case 'ingest': {
        const out = await ingestDelivery(deps, command.delivery);
        if (out.changed.length > 0) await deps.effects.publish(out.effects, out.changed);
        return { type: 'ingested', decisions: out.decisions };
      }
      case 'ack':
        return onIncident(command.incidentId, (i) => acknowledge(i, command.by, command.at));
      case 'close':
        return onIncident(command.incidentId, (i) => close(i, command.at));
      case 'tracker-synced': {
        const incident = await deps.store.updateById(command.incidentId, async (i) => {
          const next = recordTrackerLink(i, command.link);
          return { next, write: true, result: next };
        });
        return { type: 'incident', incident };
      }
    }
  };
}
