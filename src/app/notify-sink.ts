import type { Incident } from '../domain/model.js';
import { type Notification, notificationFor } from '../domain/notification.js';
import type { Clock, EffectSink } from './ports.js';

/** Takes a message to send in the background: it never waits for the target and never throws. */
export interface Notifier {
  notify(n: Notification): void;
}

/**
 * Tells the people following incidents what happened, through the outbound webhook: an incident
 * received (with its ticket when it exists already, its priority and due time), its ticket once
 * created, acknowledged, priority changed, SLA warning and breach, resolved, reopened, and whatever
 * other effect `NOTIFY_TEXT` has a sentence for. Handing over is all it does, so a failing target
 * never holds up incident handling.
 */
export function notifyEffectSink(
  notifier: Notifier,
  clock: Clock,
  options: { tickets: boolean },
): EffectSink {
  return {
    async publish(effects, incidents) {
      const byId = new Map<string, Incident>(incidents.map((i) => [i.id, i]));
      const now = clock.now().toISOString();
      for (const e of effects) {
        const incident = byId.get(e.incidentId);
        const n = incident ? notificationFor(e, incident, now, options.tickets) : null;
        if (n) notifier.notify(n);
      }
    },
  };
}
