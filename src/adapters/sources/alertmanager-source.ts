import type { WebhookSource } from '../http/webhook-route.js';
import { mapAlertmanager } from './alertmanager-mapper.js';
import {
  type AlertmanagerPayload,
  alertmanagerPayloadSchema,
  plainAlertmanagerAlerts,
} from './alertmanager-payload.js';

export const alertmanagerSource: WebhookSource<AlertmanagerPayload> = {
  source: 'alertmanager',
  schema: alertmanagerPayloadSchema,
  map: mapAlertmanager,
  count: (payload) => payload.alerts.length,
  plainCount: plainAlertmanagerAlerts,
};
