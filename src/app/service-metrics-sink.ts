import type { Incident, Source } from '../domain/model.js';
import { openedBy, type PriorityKey } from '../domain/service-report.js';
import type { EffectSink } from './ports.js';

/** The service figures as they happen; adapters decide how they are exported. */
export interface ServiceMetrics {
  opened(source: Source, priority: PriorityKey): void;
  reopened(source: Source, priority: PriorityKey): void;
  acknowledged(source: Source, priority: PriorityKey, seconds: number): void;
  resolved(source: Source, priority: PriorityKey, seconds: number): void;
  slaMarked(mark: 'warning' | 'breach', priority: PriorityKey): void;
}

const since = (from: string, to: string | null): number =>
  to === null ? 0 : Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * Counts what the effects tell: incidents opened, reopened, acknowledged (with the time it took),
 * resolved (likewise) and SLA marks. Effects are published once per command, by the instance that
 * carried it out, and never on a journal replay, so nothing is counted twice.
 */
export function serviceMetricsSink(metrics: ServiceMetrics): EffectSink {
  return {
    async publish(effects, incidents) {
      const byId = new Map<string, Incident>(incidents.map((i) => [i.id, i]));
      for (const e of effects) {
        const i = byId.get(e.incidentId);
        if (!i) continue;
        const source = openedBy(i);
        const priority = i.priority ?? 'none';
        switch (e.type) {
          case 'incident-opened':
            metrics.opened(source, priority);
            break;
          case 'incident-reopened':
            metrics.reopened(source, priority);
            break;
          case 'incident-acknowledged':
            metrics.acknowledged(source, priority, since(i.firstSeenAt, i.acknowledgedAt));
            break;
          case 'incident-resolved':
            metrics.resolved(source, priority, since(i.firstSeenAt, i.resolvedAt));
            break;
          case 'sla-warning':
            metrics.slaMarked('warning', priority);
            break;
          case 'sla-breached':
            metrics.slaMarked('breach', priority);
            break;
        }
      }
    },
  };
}
