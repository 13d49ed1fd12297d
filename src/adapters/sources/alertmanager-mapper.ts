import type { z } from 'zod';
import { labelsFingerprint } from '../../domain/fingerprint.js';
import type { AlertEvent } from '../../domain/model.js';
import { parseSeverity } from '../../domain/severity.js';
import type { AlertmanagerPayload, alertmanagerAlertSchema } from './alertmanager-payload.js';
import { toIso } from './wire.js';

const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** One alert as Alertmanager's webhook carries it. */
export type AlertmanagerAlert = z.infer<typeof alertmanagerAlertSchema>;

/** Reads one Alertmanager alert into the domain's event (the webhook, and the resync from its API). */
export function mapAlertmanagerAlert(a: AlertmanagerAlert): AlertEvent {
  const endsAtMs = a.endsAt === undefined ? Number.NaN : Date.parse(a.endsAt);
  const endsAt = Number.isNaN(endsAtMs) || endsAtMs <= ZERO_TIME ? null : toIso(a.endsAt ?? '');
  const startsAt = toIso(a.startsAt);
  return {
    id: `am:${a.fingerprint ?? labelsFingerprint(a.labels)}`,
    source: 'alertmanager',
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt,
    // A resolved alert without an end time ended when we were told.
    endsAt: a.status === 'resolved' ? (endsAt ?? startsAt) : null,
    url: a.generatorURL || null,
    title: a.annotations.summary ?? a.labels.alertname ?? 'Alert',
    severity: parseSeverity(a.labels.severity),
  };
}

/** Reads Alertmanager's alerts into the domain's events; nothing past here knows the wire format. */
export function mapAlertmanager(payload: AlertmanagerPayload): AlertEvent[] {
  return payload.alerts.map(mapAlertmanagerAlert);
}
