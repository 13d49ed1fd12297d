import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gettableAlertSchema } from '../../src/adapters/alertmanager/alertmanager-api-schemas.js';
import { loadCatchUpSettings } from '../../src/adapters/catch-up/catch-up-runtime.js';
import { loadRules } from '../../src/adapters/rules/rules-loader.js';
import { mapAlertmanager, mapAlertmanagerAlert } from '../../src/adapters/sources/alertmanager-mapper.js';
import { alertmanagerPayloadSchema } from '../../src/adapters/sources/alertmanager-payload.js';
import { mapZabbix } from '../../src/adapters/sources/zabbix-mapper.js';
import { zabbixPayloadSchema } from '../../src/adapters/sources/zabbix-payload.js';
import { problemSchema, triggerSchema } from '../../src/adapters/zabbix/zabbix-api-schemas.js';
import { problemPayload } from '../../src/adapters/zabbix/zabbix-problem-payload.js';
import { fixture } from '../helpers/fixtures.js';

const clockOf = (iso: string): string => String(Date.parse(iso) / 1000);

describe('catch-up builds the events the webhooks build', () => {
  it('maps a Zabbix problem read from the API like the captured problem webhook', () => {
    const webhook = mapZabbix(zabbixPayloadSchema.parse(fixture('zabbix', 'problem')));
    // What problem.get and trigger.get answer for that problem (event 57 of trigger 23133).
    const problem = problemSchema.parse({
      eventid: '57',
      objectid: '23133',
      clock: clockOf('2026-11-22T20:03:17Z'),
      name: 'Rig check 1 failing on Rig Host 1',
      severity: '4',
      acknowledged: '0',
      r_eventid: '0',
      r_clock: '0',
      tags: [
        { tag: 'service', value: 'rig-service-1' },
        { tag: 'component', value: 'api' },
        { tag: 'scope', value: 'availability' },
        { tag: 'env', value: 'rig' },
      ],
    });
    const trigger = triggerSchema.parse({
      triggerid: '23133',
      description: 'Rig check 1 failing on Rig Host 1',
      hosts: [{ hostid: '10500', host: 'rig-host-1', name: 'Rig Host 1' }],
    });
    const caught = mapZabbix(
      problemPayload(
        { problem, trigger, acknowledges: [], frontendUrl: 'http://127.0.0.1:18080' },
        'problem',
      ),
    );
    // The media type's subject and message are not in the API; everything else is the same.
    const { annotations: caughtAnnotations, ...caughtRest } = caught;
    const { annotations: webhookAnnotations, ...webhookRest } = webhook;
    expect(caughtRest).toEqual(webhookRest);
    expect(caughtAnnotations).toEqual({ host_name: 'Rig Host 1', event_status: 'PROBLEM' });
    expect(webhookAnnotations).toMatchObject(caughtAnnotations);
  });

  it('maps an alert of Alertmanager API v2 like the captured webhook alert', () => {
    const payload = alertmanagerPayloadSchema.parse(fixture('alertmanager', '01-firing-single'));
    const [webhook] = mapAlertmanager(payload);
    const alert = payload.alerts[0];
    // The same alert as GET /api/v2/alerts lists it.
    const listed = gettableAlertSchema.parse({
      ...alert,
      endsAt: '2026-11-22T19:57:56.107Z',
      updatedAt: '2026-11-22T19:53:56.110Z',
      receivers: [{ name: 'bridge' }],
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    });
    expect(mapAlertmanagerAlert({ ...listed, status: 'firing', endsAt: undefined })).toEqual(webhook);
  });
});

describe('catch-up configuration', () => {
  it('is off by default and reads ZABBIX_URL as the frontend or the API endpoint', () => {
    expect(loadCatchUpSettings({})).toMatchObject({ zabbix: null, alertmanager: null, timeoutMs: 10_000 });
    expect(
      loadCatchUpSettings({ ZABBIX_URL: 'https://zabbix.example/zabbix/', ZABBIX_API_TOKEN: 't' }).zabbix,
    ).toMatchObject({
      apiUrl: 'https://zabbix.example/zabbix/api_jsonrpc.php',
      frontendUrl: 'https://zabbix.example/zabbix',
      auth: { type: 'token', token: 't' },
      everyMs: 60_000,
    });
    expect(
      loadCatchUpSettings({
        ZABBIX_URL: 'https://zabbix.example/api_jsonrpc.php',
        ZABBIX_USER: 'bridge',
        ZABBIX_PASSWORD: 'pw',
        ZABBIX_SYNC_INTERVAL: '30s',
      }).zabbix,
    ).toMatchObject({
      frontendUrl: 'https://zabbix.example',
      auth: { type: 'password', user: 'bridge' },
      everyMs: 30_000,
    });
    expect(
      loadCatchUpSettings({ ALERTMANAGER_URL: 'http://am-0:9093, http://am-1:9093/' }).alertmanager,
    ).toEqual({ urls: ['http://am-0:9093', 'http://am-1:9093'], everyMs: 60_000, minUptimeMs: 120_000 });
  });

  it.each([
    [{ ZABBIX_URL: 'zabbix.example' }, /ZABBIX_URL: expected an http\(s\) URL/],
    [{ ZABBIX_URL: 'http://z' }, /ZABBIX_API_TOKEN: with ZABBIX_URL, set ZABBIX_API_TOKEN or ZABBIX_USER/],
    [{ ZABBIX_URL: 'http://z', ZABBIX_API_TOKEN: 't', ZABBIX_USER: 'u', ZABBIX_PASSWORD: 'p' }, /not both/],
    [
      { ZABBIX_URL: 'http://z', ZABBIX_USER: 'u' },
      /ZABBIX_PASSWORD: ZABBIX_USER and ZABBIX_PASSWORD go together/,
    ],
    [{ ALERTMANAGER_URL: 'http://am:9093,am2:9093' }, /ALERTMANAGER_URL: expected http\(s\) URLs/],
    [{ ALERTMANAGER_SYNC_INTERVAL: '0s' }, /ALERTMANAGER_SYNC_INTERVAL: expected a duration/],
  ])('stops the start on %o', (env, message) => {
    expect(() => loadCatchUpSettings(env)).toThrow(message);
  });

  it('reads rules/catchup.yml strictly', () => {
    const shipped = loadRules(join(import.meta.dirname, '..', '..', 'rules')).catchUp;
    expect(shipped).toEqual({
      zabbix: { hostGroups: [], hosts: [], severities: [0, 1, 2, 3, 4, 5] },
      alertmanager: { receivers: [] },
    });
    const dir = mkdtempSync(join(tmpdir(), 'ib-rules-'));
    writeFileSync(join(dir, 'catchup.yml'), 'zabbix:\n  severities: [high, disaster]\n  hostgroups: [x]\n');
    expect(() => loadRules(dir)).toThrow(/catchup\.yml: zabbix: Unrecognized key: "hostgroups"/);
    writeFileSync(join(dir, 'catchup.yml'), 'zabbix:\n  severities: [severe]\n');
    expect(() => loadRules(dir)).toThrow(/catchup\.yml: zabbix\.severities\.0:/);
  });
});
