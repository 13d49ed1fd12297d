import type { WebhookSource } from '../http/webhook-route.js';
import { mapZabbix } from './zabbix-mapper.js';
import { type ZabbixPayload, zabbixPayloadSchema } from './zabbix-payload.js';

export const zabbixSource: WebhookSource<ZabbixPayload> = {
  source: 'zabbix',
  schema: zabbixPayloadSchema,
  map: (payload) => [mapZabbix(payload)],
  count: () => 1,
};
