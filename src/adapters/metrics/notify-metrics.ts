import { Counter, type Registry } from 'prom-client';
import type { NotifyOutcome } from '../notify/notify-queue.js';

/** Outbound webhook messages by outcome: sent, retried (one count per failed try) or dropped. */
export function createNotifyMetrics(registry: Registry): (outcome: NotifyOutcome) => void {
  const messages = new Counter({
    name: 'incident_bridge_notifications_total',
    help: 'Outbound webhook (NOTIFY_URL) messages by outcome: sent, retried (per failed try), dropped.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of ['sent', 'retried', 'dropped'] as const) messages.inc({ outcome }, 0);
  return (outcome) => messages.inc({ outcome });
}
