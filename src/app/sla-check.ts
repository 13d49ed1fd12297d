import { slaMarkDue } from '../domain/sla-clock.js';
import type { Clock, IncidentStore, Intake, Logger } from './ports.js';

export interface SlaCheckDeps {
  readonly store: Pick<IncidentStore, 'list'>;
  readonly intake: Pick<Intake, 'submit'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** More open incidents than this at once is a storm nobody reads SLA marks in; the next pass takes the rest. */
const MAX_PER_STATUS = 100_000;

/**
 * One pass of the scheduled SLA check: every open or acknowledged incident whose warning (75% of the
 * resolution time) or breach (100%) is due gets a command marking it, carrying the time of the check.
 * Marks happen once each (the command changes nothing the second time), so passes may overlap or repeat
 * after a crash. Answers how many marks were made.
 */
export async function checkSla(deps: SlaCheckDeps): Promise<number> {
  const at = deps.clock.now().toISOString();
  let made = 0;
  for (const status of ['open', 'acknowledged'] as const) {
    for (const incident of await deps.store.list({ status, limit: MAX_PER_STATUS })) {
      const mark = slaMarkDue(incident, at);
      if (mark === null) continue;
      const r = await deps.intake.submit({ type: 'sla-mark', incidentId: incident.id, mark, at });
      const sla = r.type === 'incident' ? r.incident?.sla : undefined;
      if ((mark === 'breach' ? sla?.breachedAt : sla?.warnedAt) === at) {
        made++;
        deps.logger.info(mark === 'breach' ? 'sla breached' : 'sla warning', {
          incidentId: incident.id,
          priority: incident.priority,
          dueAt: sla?.resolutionDueAt,
        });
      }
    }
  }
  return made;
}
