import type { Clock } from '../../app/ports.js';
import type { Incident, Priority } from '../../domain/model.js';
import type { PriorityRules } from '../../domain/priority.js';
import { type SlaView, slaView } from '../../domain/sla-clock.js';

/** An incident as the API shows it: its SLA with the state and the working time left as of now. */
export type IncidentJson = Omit<Incident, 'priority' | 'sla'> & {
  readonly priority: Priority | null;
  readonly sla: SlaView | null;
};

export type IncidentPresenter = (incident: Incident) => IncidentJson;

export function incidentPresenter(rules: PriorityRules, clock: Clock): IncidentPresenter {
  return (incident) => {
    const now = clock.now().toISOString();
    return { ...incident, priority: incident.priority ?? null, sla: slaView(incident, now, rules) };
  };
}
