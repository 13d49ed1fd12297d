import type { AlertEvent, Source } from '../../domain/model.js';
import { countChecked } from '../http/body-check.js';
import type { WebhookSource } from '../http/webhook-route.js';
import { alertmanagerSource } from './alertmanager-source.js';
import { zabbixSource } from './zabbix-source.js';

const decode = <P>(src: WebhookSource<P>, json: unknown): AlertEvent[] => src.map(src.schema.parse(json));

/** Reads a parsed webhook payload into events, as the webhook would have; throws on one that does not fit. */
export function decodeWebhookPayload(source: Source, json: unknown): AlertEvent[] {
  return source === 'alertmanager' ? decode(alertmanagerSource, json) : decode(zabbixSource, json);
}

/** Reads a queued webhook body into events, as the webhook would have; throws on a body that does not fit. */
export function decodeWebhookBody(source: Source, body: string): AlertEvent[] {
  return decodeWebhookPayload(source, JSON.parse(body));
}

/** The alerts of a webhook body that passes its source's schema; throws the 400 naming the bad fields. */
export function countWebhookBody(source: Source, text: string): number {
  return source === 'alertmanager'
    ? countChecked(alertmanagerSource, text)
    : countChecked(zabbixSource, text);
}
