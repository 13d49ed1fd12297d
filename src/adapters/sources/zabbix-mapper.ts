import type { AlertEvent } from '../../domain/model.js';
import { parseSeverity, zabbixSeverity } from '../../domain/severity.js';
import { toIso } from './wire.js';
import type { ZabbixPayload } from './zabbix-payload.js';

function severityOf(s: ZabbixPayload['severity']): AlertEvent['severity'] {
  if (s === undefined) return 'unknown';
  if (typeof s === 'number') return zabbixSeverity(s);
  if (typeof s === 'string') return parseSeverity(s);
  return s.number !== undefined ? zabbixSeverity(s.number) : parseSeverity(s.name);
}

function labelsOf(p: ZabbixPayload): Record<string, string> {
  const labels: Record<string, string> = {};
  // A tag may repeat with several values (`component: api`, `component: db`): keep them all.
  for (const { tag, value } of p.event_tags) {
    labels[tag] =
      labels[tag] === undefined ? value : [...new Set([...labels[tag].split(','), value])].join(',');
  }
  const put = (name: string, value: string | undefined): void => {
    if (value !== undefined && labels[name] === undefined) labels[name] = value;
  };
  put('alertname', p.trigger_name ?? p.event_name);
  put('host', p.host);
  put('trigger_id', p.trigger_id);
  put('trigger_name', p.trigger_name);
  return labels;
}

/**
 * Reads one Zabbix notification. A problem, its updates and its recovery share `event_id`, so they
 * are one alert; an update already carrying `event_value` 0 is a manual close.
 */
export function mapZabbix(p: ZabbixPayload): AlertEvent {
  const startsAt = toIso(p.event_time);
  const resolved = p.event_value === 0;
  const endsAt = resolved ? toIso(p.recovery_time ?? p.update?.time ?? p.event_time) : null;
  const annotations: Record<string, string> = {};
  if (p.subject !== undefined) annotations.summary = p.subject;
  if (p.message !== undefined) annotations.description = p.message;
  if (p.host_name !== undefined) annotations.host_name = p.host_name;
  if (p.event_status !== undefined) annotations.event_status = p.event_status;
  const ackAt = p.update?.time ?? (resolved ? undefined : p.event_time);
  return {
    id: `zabbix:${p.event_id}`,
    source: 'zabbix',
    status: resolved ? 'resolved' : 'firing',
    labels: labelsOf(p),
    annotations,
    startsAt,
    endsAt,
    url: p.event_url ?? null,
    title: p.event_name ?? p.trigger_name ?? `Zabbix problem ${p.event_id}`,
    severity: severityOf(p.severity),
    ack:
      p.event_ack === true && ackAt !== undefined
        ? { by: p.update?.user ?? null, message: p.update?.message ?? null, at: toIso(ackAt) }
        : undefined,
  };
}
