import type { AlertEvent, Source } from '../../domain/model.js';
import { countChecked } from '../http/body-check.js';
import type { WebhookSource } from '../http/webhook-route.js';
import { alertmanagerSource } from './alertmanager-source.js';
import { zabbixSource } from './zabbix-source.js';

/** Calls `use` with the webhook source of that name: the one place that knows which names there are. */
const withSource = <R>(source: Source, use: <P>(src: WebhookSource<P>) => R): R =>
  source === 'alertmanager' ? use(alertmanagerSource) : use(zabbixSource);

/** Reads a parsed webhook payload into events, as the webhook would have; throws on one that does not fit. */
export function decodeWebhookPayload(source: Source, json: unknown): AlertEvent[] {
  return withSource(source, (src) => src.map(src.schema.parse(json)));
}

/** Reads a queued webhook body into events, as the webhook would have; throws on a body that does not fit. */
export function decodeWebhookBody(source: Source, body: string): AlertEvent[] {
  return decodeWebhookPayload(source, JSON.parse(body));
}

/** The alerts of a webhook body that passes its source's schema; throws the 400 naming the bad fields. */
export function countWebhookBody(source: Source, text: string): number {
  return withSource(source, (src) => countChecked(src, text));
}
