import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { mapZabbix } from '../../src/adapters/sources/zabbix-mapper.js';
import { zabbixPayloadSchema } from '../../src/adapters/sources/zabbix-payload.js';
import type { AlertEvent } from '../../src/domain/model.js';

const MEDIA_TYPE_FILE = fileURLToPath(
  new URL('../../integrations/zabbix/incident-bridge-media-type.yaml', import.meta.url),
);
const FIXTURES = new URL('../fixtures/zabbix/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

/** The keys a Zabbix 6.0 export may carry for a webhook media type; a typo fails the strict parse. */
const mediaTypeFile = z.object({
  zabbix_export: z.object({
    version: z.literal('6.0'),
    media_types: z
      .array(
        z.strictObject({
          name: z.string(),
          type: z.literal('WEBHOOK'),
          parameters: z.array(z.strictObject({ name: z.string(), value: z.string() })),
          status: z.enum(['ENABLED', 'DISABLED']).optional(),
          max_sessions: z.string().optional(),
          attempts: z.string(),
          attempt_interval: z.string(),
          script: z.string(),
          timeout: z.string(),
          process_tags: z.enum(['YES', 'NO']),
          show_event_menu: z.enum(['YES', 'NO']),
          event_menu_url: z.string().optional(),
          event_menu_name: z.string().optional(),
          description: z.string(),
          message_templates: z.array(
            z.strictObject({
              event_source: z.string(),
              operation_mode: z.string(),
              subject: z.string(),
              message: z.string(),
            }),
          ),
        }),
      )
      .length(1),
  }),
});

const mediaType = (() => {
  const file = mediaTypeFile.parse(parse(readFileSync(MEDIA_TYPE_FILE, 'utf8')));
  const [only] = file.zabbix_export.media_types;
  if (only === undefined) throw new Error('the export holds no media type');
  return only;
})();

/** Zabbix's webhook parameters: every value a string, unresolved macros left as their literal text. */
type Params = Record<string, string>;

interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly headers: readonly string[];
  readonly proxy: string | null;
}

interface Outcome {
  readonly requests: readonly RecordedRequest[];
  readonly logs: readonly { readonly level: number; readonly message: string }[];
  readonly result: unknown;
  readonly error: string | null;
  /** The script threw an Error (Zabbix shows its message and stack), not a bare value. */
  readonly errorIsError: boolean;
  /** `new Date(2026, 10, 22, 21, 3, 17).getTimezoneOffset()` in the child: proves its time zone. */
  readonly novemberOffset: number;
}

interface Case {
  readonly params: Params;
  /** The status and body the stand-in bridge answers with. */
  readonly status?: number;
  readonly answer?: string;
}

/*
 * How the script is run, and why in a child process.
 *
 * Zabbix runs the script in Duktape as the body of a function of `value` (the JSON text of the
 * parameters), with `HttpRequest` and `Zabbix` as globals. The runner below does the same with
 * `vm.runInNewContext('(function (value) { <script> })(value)', { value, HttpRequest, Zabbix })`,
 * where the stand-in `HttpRequest` records each request and answers with the case's status and body.
 *
 * The script turns {EVENT.DATE}/{EVENT.TIME}, which are in the Zabbix server's local time zone, into
 * UTC with `new Date(y, m - 1, d, hh, mm, ss)`, which reads its fields in the time zone of the process
 * that runs it, as Duktape does inside zabbix_server. A vm context shares its process's time zone, so
 * to pin that zone the runner is a fresh `node` started with `TZ` set (Europe/Berlin: UTC+1 in
 * November, UTC+2 in July), with nothing else from this environment. Changing `process.env.TZ` inside
 * the test worker instead would leak into other tests, and injecting a fake `Date` would test the
 * fake rather than the engine's real local-time arithmetic, DST included.
 */
const RUNNER = `
const vm = require('node:vm');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { script, cases } = JSON.parse(input);
  const outcomes = cases.map((c) => {
    const requests = [];
    const logs = [];
    class HttpRequest {
      constructor() { this.headers = []; this.proxy = null; this.status = null; }
      addHeader(header) { this.headers.push(String(header)); }
      setProxy(proxy) { this.proxy = String(proxy); }
      post(url, body) {
        requests.push({ method: 'POST', url: String(url), body: String(body), headers: this.headers.slice(), proxy: this.proxy });
        this.status = c.status === undefined ? 202 : c.status;
        return c.answer === undefined ? '{"accepted":true}' : c.answer;
      }
      getStatus() {
        if (this.status === null) throw new Error('getStatus() before a request');
        return this.status;
      }
    }
    const Zabbix = { log: (level, message) => { logs.push({ level, message: String(message) }); } };
    const context = { value: JSON.stringify(c.params), HttpRequest, Zabbix };
    let result = null;
    let error = null;
    let errorIsError = false;
    try {
      result = vm.runInNewContext('(function (value) {\\n' + script + '\\n})(value)', context, { timeout: 5000 });
    } catch (e) {
      // An Error from the vm context is not an instance of this realm's Error: read its message.
      error = e !== null && typeof e === 'object' && 'message' in e ? String(e.message) : String(e);
      errorIsError = Object.prototype.toString.call(e) === '[object Error]';
    }
    return { requests, logs, result, error, errorIsError, novemberOffset: new Date(2026, 10, 22, 21, 3, 17).getTimezoneOffset() };
  });
  process.stdout.write(JSON.stringify(outcomes));
});
`;

function runScript(timeZone: string, cases: readonly Case[]): Outcome[] {
  const child = spawnSync(process.execPath, ['-e', RUNNER], {
    input: JSON.stringify({ script: mediaType.script, cases }),
    env: { TZ: timeZone },
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (child.status !== 0) throw new Error(`the runner failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as Outcome[];
}

function runOne(timeZone: string, c: Case): Outcome {
  const [outcome] = runScript(timeZone, [c]);
  if (outcome === undefined) throw new Error('the runner returned no outcome');
  return outcome;
}

function onlyRequest(outcome: Outcome): RecordedRequest {
  expect(outcome.error).toBeNull();
  expect(outcome.requests).toHaveLength(1);
  const [request] = outcome.requests;
  if (request === undefined) throw new Error('no request');
  return request;
}

const BRIDGE_URL = 'http://bridge:8080/webhooks/zabbix';
const TAGS_57 =
  '[{"tag":"service","value":"rig-service-1"},{"tag":"component","value":"api"},{"tag":"scope","value":"availability"},{"tag":"env","value":"rig"}]';
const TAGS_59 = TAGS_57.replace('rig-service-1', 'rig-service-2');

/**
 * Problem 57 as Zabbix hands it to the script on a server whose clock runs on Europe/Berlin time
 * (21:03:17 CET is 20:03:17 UTC, the fixtures' time): the recovery and update macros do not resolve
 * yet and arrive as their literal text.
 */
const problemParams: Params = {
  bridge_url: BRIDGE_URL,
  token: 'bridge-secret',
  http_proxy: '',
  event_source: '0',
  event_id: '57',
  event_value: '1',
  event_update_status: '0',
  event_status: 'PROBLEM',
  event_name: 'Rig check 1 failing on Rig Host 1',
  recovery_event_id: '{EVENT.RECOVERY.ID}',
  trigger_id: '23133',
  trigger_name: 'Rig check 1 failing on Rig Host 1',
  host: 'rig-host-1',
  host_name: 'Rig Host 1',
  severity_name: 'High',
  severity_number: '4',
  event_tags: TAGS_57,
  event_date: '2026.11.22',
  event_time: '21:03:17',
  recovery_date: '{EVENT.RECOVERY.DATE}',
  recovery_time: '{EVENT.RECOVERY.TIME}',
  event_ack: 'No',
  update_action: '{EVENT.UPDATE.ACTION}',
  update_message: '{EVENT.UPDATE.MESSAGE}',
  update_date: '{EVENT.UPDATE.DATE}',
  update_time: '{EVENT.UPDATE.TIME}',
  update_user: '{USER.FULLNAME}',
  subject: 'Problem: Rig check 1 failing on Rig Host 1',
  message:
    'Problem started at 20:03:17 on 2026.11.22\nProblem name: Rig check 1 failing on Rig Host 1\nHost: Rig Host 1\nSeverity: High\nOperational data: value: 1\nOriginal problem ID: 57\n',
  send_to: 'bridge',
  event_url: 'http://127.0.0.1:18080/tr_events.php?triggerid=23133&eventid=57',
};

const ackMessage = 'Looking into it \u2014 "quoted", \u00fcn\u00efc\u00f8d\u00e9 \u2713';
const updateAckParams: Params = {
  ...problemParams,
  event_update_status: '1',
  event_ack: 'Yes',
  update_action: 'acknowledged and commented',
  update_message: ackMessage,
  update_date: '2026.11.22',
  update_time: '21:03:20',
  update_user: 'Zabbix Administrator (Admin)',
  subject: 'Updated problem in 9s: Rig check 1 failing on Rig Host 1',
  message: `Zabbix Administrator (Admin) acknowledged and commented problem at 2026.11.22 20:03:20.\n${ackMessage}\n\nCurrent problem status is PROBLEM, age is 9s, acknowledged: Yes.`,
};

const recoveryParams: Params = {
  ...problemParams,
  event_value: '0',
  event_status: 'RESOLVED',
  recovery_event_id: '58',
  recovery_date: '2026.11.22',
  recovery_time: '21:03:26',
  event_ack: 'Yes',
  subject: 'Resolved in 9s: Rig check 1 failing on Rig Host 1',
  message:
    'Problem has been resolved at 20:03:26 on 2026.11.22\nProblem name: Rig check 1 failing on Rig Host 1\nProblem duration: 9s\nHost: Rig Host 1\nSeverity: High\nOriginal problem ID: 57\n',
};

/** Problem 59, closed by hand: an update that already carries event_value 0 and its recovery. */
const updateCloseParams: Params = {
  ...problemParams,
  event_id: '59',
  event_value: '0',
  event_update_status: '1',
  event_status: 'RESOLVED',
  event_name: 'Rig check 1 failing on Rig Host 2',
  recovery_event_id: '60',
  trigger_id: '23135',
  trigger_name: 'Rig check 1 failing on Rig Host 2',
  host: 'rig-host-2',
  host_name: 'Rig Host 2',
  severity_name: 'Disaster',
  severity_number: '5',
  event_tags: TAGS_59,
  event_date: '2026.11.22',
  event_time: '21:03:29',
  recovery_date: '2026.11.22',
  recovery_time: '21:03:40',
  event_ack: 'Yes',
  update_action: 'acknowledged, commented and closed',
  update_message: 'Closing manually',
  update_date: '2026.11.22',
  update_time: '21:03:35',
  update_user: 'Zabbix Administrator (Admin)',
  subject: 'Updated problem in 12s: Rig check 1 failing on Rig Host 2',
  message:
    'Zabbix Administrator (Admin) acknowledged, commented and closed problem at 2026.11.22 20:03:35.\nClosing manually\n\nCurrent problem status is RESOLVED, age is 12s, acknowledged: Yes.',
  event_url: 'http://127.0.0.1:18080/tr_events.php?triggerid=23135&eventid=59',
};

const labels57 = {
  service: 'rig-service-1',
  component: 'api',
  scope: 'availability',
  env: 'rig',
  alertname: 'Rig check 1 failing on Rig Host 1',
  host: 'rig-host-1',
  trigger_id: '23133',
  trigger_name: 'Rig check 1 failing on Rig Host 1',
};

const scenarios: readonly {
  readonly name: string;
  readonly params: Params;
  readonly fixture: string;
  readonly alert: AlertEvent;
}[] = [
  {
    name: 'problem',
    params: problemParams,
    fixture: 'problem.json',
    alert: {
      id: 'zabbix:57',
      source: 'zabbix',
      status: 'firing',
      labels: labels57,
      annotations: {
        summary: problemParams.subject ?? '',
        description: problemParams.message ?? '',
        host_name: 'Rig Host 1',
        event_status: 'PROBLEM',
      },
      startsAt: '2026-11-22T20:03:17.000Z',
      endsAt: null,
      url: 'http://127.0.0.1:18080/tr_events.php?triggerid=23133&eventid=57',
      title: 'Rig check 1 failing on Rig Host 1',
      severity: 'high',
      ack: undefined,
    },
  },
  {
    name: 'acknowledge update',
    params: updateAckParams,
    fixture: 'update-ack.json',
    alert: {
      id: 'zabbix:57',
      source: 'zabbix',
      status: 'firing',
      labels: labels57,
      annotations: {
        summary: updateAckParams.subject ?? '',
        description: updateAckParams.message ?? '',
        host_name: 'Rig Host 1',
        event_status: 'PROBLEM',
      },
      startsAt: '2026-11-22T20:03:17.000Z',
      endsAt: null,
      url: 'http://127.0.0.1:18080/tr_events.php?triggerid=23133&eventid=57',
      title: 'Rig check 1 failing on Rig Host 1',
      severity: 'high',
      ack: { by: 'Zabbix Administrator (Admin)', message: ackMessage, at: '2026-11-22T20:03:20.000Z' },
    },
  },
  {
    name: 'manual close update',
    params: updateCloseParams,
    fixture: 'update-close.json',
    alert: {
      id: 'zabbix:59',
      source: 'zabbix',
      status: 'resolved',
      labels: {
        service: 'rig-service-2',
        component: 'api',
        scope: 'availability',
        env: 'rig',
        alertname: 'Rig check 1 failing on Rig Host 2',
        host: 'rig-host-2',
        trigger_id: '23135',
        trigger_name: 'Rig check 1 failing on Rig Host 2',
      },
      annotations: {
        summary: updateCloseParams.subject ?? '',
        description: updateCloseParams.message ?? '',
        host_name: 'Rig Host 2',
        event_status: 'RESOLVED',
      },
      startsAt: '2026-11-22T20:03:29.000Z',
      endsAt: '2026-11-22T20:03:40.000Z',
      url: 'http://127.0.0.1:18080/tr_events.php?triggerid=23135&eventid=59',
      title: 'Rig check 1 failing on Rig Host 2',
      severity: 'critical',
      ack: {
        by: 'Zabbix Administrator (Admin)',
        message: 'Closing manually',
        at: '2026-11-22T20:03:35.000Z',
      },
    },
  },
  {
    name: 'recovery',
    params: recoveryParams,
    fixture: 'recovery.json',
    alert: {
      id: 'zabbix:57',
      source: 'zabbix',
      status: 'resolved',
      labels: labels57,
      annotations: {
        summary: recoveryParams.subject ?? '',
        description: recoveryParams.message ?? '',
        host_name: 'Rig Host 1',
        event_status: 'RESOLVED',
      },
      startsAt: '2026-11-22T20:03:17.000Z',
      endsAt: '2026-11-22T20:03:26.000Z',
      url: 'http://127.0.0.1:18080/tr_events.php?triggerid=23133&eventid=57',
      title: 'Rig check 1 failing on Rig Host 1',
      severity: 'high',
      ack: undefined,
    },
  },
];

describe('the incident-bridge Zabbix media type export', () => {
  it('is a Zabbix 6.0 webhook media type that retries 3 times, 10 s apart', () => {
    expect(mediaType.name).toBe('incident-bridge');
    expect(mediaType.type).toBe('WEBHOOK');
    expect(mediaType.attempts).toBe('3');
    expect(mediaType.attempt_interval).toBe('10s');
    expect(mediaType.timeout).toMatch(/^\d+s$/);
    expect(mediaType.description).toContain('{$ZABBIX.URL}');
  });

  it('passes every macro the body needs, with its parameters sorted by name as Zabbix exports them', () => {
    const values = new Map(mediaType.parameters.map((p) => [p.name, p.value]));
    expect(Object.fromEntries(values)).toEqual({
      bridge_url: BRIDGE_URL,
      token: '',
      http_proxy: '',
      event_source: '{EVENT.SOURCE}',
      event_id: '{EVENT.ID}',
      event_value: '{EVENT.VALUE}',
      event_update_status: '{EVENT.UPDATE.STATUS}',
      event_status: '{EVENT.STATUS}',
      event_name: '{EVENT.NAME}',
      recovery_event_id: '{EVENT.RECOVERY.ID}',
      trigger_id: '{TRIGGER.ID}',
      trigger_name: '{TRIGGER.NAME}',
      host: '{HOST.HOST}',
      host_name: '{HOST.NAME}',
      severity_name: '{EVENT.SEVERITY}',
      severity_number: '{EVENT.NSEVERITY}',
      event_tags: '{EVENT.TAGSJSON}',
      event_date: '{EVENT.DATE}',
      event_time: '{EVENT.TIME}',
      recovery_date: '{EVENT.RECOVERY.DATE}',
      recovery_time: '{EVENT.RECOVERY.TIME}',
      event_ack: '{EVENT.ACK.STATUS}',
      update_action: '{EVENT.UPDATE.ACTION}',
      update_message: '{EVENT.UPDATE.MESSAGE}',
      update_date: '{EVENT.UPDATE.DATE}',
      update_time: '{EVENT.UPDATE.TIME}',
      update_user: '{USER.FULLNAME}',
      subject: '{ALERT.SUBJECT}',
      message: '{ALERT.MESSAGE}',
      send_to: '{ALERT.SENDTO}',
      event_url: '{$ZABBIX.URL}/tr_events.php?triggerid={TRIGGER.ID}&eventid={EVENT.ID}',
    });
    const names = mediaType.parameters.map((p) => p.name);
    expect(values.size).toBe(names.length);
    expect(names).toEqual([...names].sort());
  });

  it('has trigger message templates for problems, recoveries and updates', () => {
    const templates = mediaType.message_templates;
    expect(templates.map((t) => `${t.event_source}/${t.operation_mode}`)).toEqual([
      'TRIGGERS/PROBLEM',
      'TRIGGERS/RECOVERY',
      'TRIGGERS/UPDATE',
    ]);
    for (const t of templates) expect(t.subject).toContain('{EVENT.NAME}');
    expect(templates[0]?.message).toContain('Problem started at {EVENT.TIME} on {EVENT.DATE}');
    expect(templates[1]?.message).toContain('resolved at {EVENT.RECOVERY.TIME} on {EVENT.RECOVERY.DATE}');
    expect(templates[2]?.message).toContain('{USER.FULLNAME} {EVENT.UPDATE.ACTION}');
  });

  it('has a script written for Duktape (ES5): no arrow functions, let/const, classes or template literals', () => {
    expect(mediaType.script).not.toMatch(/=>|`|\blet\s|\bconst\s|\bclass\s/);
    expect(mediaType.script).toContain('JSON.parse(value)');
    expect(mediaType.script).toContain('new HttpRequest()');
  });
});

describe('the media type script, run as Zabbix runs it on a server in Europe/Berlin', () => {
  const outcomes = runScript(
    'Europe/Berlin',
    scenarios.map((s) => ({ params: s.params })),
  );

  it('runs in the pinned time zone (CET, UTC+1, in November)', () => {
    for (const outcome of outcomes) expect(outcome.novemberOffset).toBe(-60);
  });

  scenarios.forEach((scenario, i) => {
    describe(scenario.name, () => {
      const outcome = outcomes[i];
      if (outcome === undefined) throw new Error(`no outcome for ${scenario.name}`);

      it('POSTs once to bridge_url with JSON and the bearer token, and returns OK', () => {
        const request = onlyRequest(outcome);
        expect(outcome.result).toBe('OK');
        expect(request.method).toBe('POST');
        expect(request.url).toBe(BRIDGE_URL);
        expect(request.headers).toEqual([
          'Content-Type: application/json',
          'Authorization: Bearer bridge-secret',
        ]);
        expect(request.proxy).toBeNull();
        expect(outcome.logs.some((l) => l.level === 4 && l.message.includes(BRIDGE_URL))).toBe(true);
        expect(outcome.logs.some((l) => l.message.includes('bridge-secret'))).toBe(false);
      });

      it(`sends the body of the captured ${scenario.fixture}, times turned from server-local to UTC`, () => {
        expect(JSON.parse(onlyRequest(outcome).body)).toEqual(fixture(scenario.fixture));
      });

      it('sends a body the bridge accepts and maps to the expected alert', () => {
        const parsed = zabbixPayloadSchema.safeParse(JSON.parse(onlyRequest(outcome).body));
        expect(parsed.error).toBeUndefined();
        if (!parsed.success) return;
        expect(mapZabbix(parsed.data)).toEqual(scenario.alert);
      });
    });
  });
});

describe('the media type script: time zones', () => {
  it('reads {EVENT.DATE} {EVENT.TIME} in the server time zone, daylight saving included', () => {
    const summer = { ...problemParams, event_date: '2026.07.01', event_time: '12:00:00' };
    const [berlinWinter, berlinSummer] = runScript('Europe/Berlin', [
      { params: problemParams },
      { params: summer },
    ]);
    const [utcWinter] = runScript('UTC', [{ params: { ...problemParams, event_time: '20:03:17' } }]);
    const [newYorkSummer] = runScript('America/New_York', [{ params: summer }]);
    const eventTime = (o: Outcome | undefined): unknown =>
      o === undefined ? undefined : (JSON.parse(onlyRequest(o).body) as { event_time: unknown }).event_time;
    expect(eventTime(berlinWinter)).toBe('2026-11-22T20:03:17Z');
    expect(eventTime(utcWinter)).toBe('2026-11-22T20:03:17Z');
    expect(eventTime(berlinSummer)).toBe('2026-07-01T10:00:00Z');
    expect(eventTime(newYorkSummer)).toBe('2026-07-01T16:00:00Z');
  });
});

describe('the media type script: HTTP and configuration', () => {
  it('throws on 500 and 503 with the status and the answer, so that Zabbix retries', () => {
    const [on500, on503, on404] = runScript('UTC', [
      { params: problemParams, status: 500, answer: '{"error":"store unavailable"}' },
      { params: problemParams, status: 503, answer: 'queue full' },
      { params: problemParams, status: 404, answer: 'no such route' },
    ]);
    expect(on500?.error).toBe('incident-bridge answered HTTP 500: {"error":"store unavailable"}');
    expect(on503?.error).toBe('incident-bridge answered HTTP 503: queue full');
    expect(on404?.error).toBe('incident-bridge answered HTTP 404: no such route');
    for (const failed of [on500, on503, on404]) {
      expect(failed?.errorIsError).toBe(true);
      expect(failed?.requests).toHaveLength(1);
      expect(failed?.result).toBeNull();
      expect(failed?.logs.some((l) => l.level === 3 && l.message.includes('notification failed'))).toBe(true);
    }
  });

  it('returns OK on 200 and 202', () => {
    const [on200, on202] = runScript('UTC', [
      { params: problemParams, status: 200, answer: '' },
      { params: problemParams, status: 202, answer: '{"accepted":true}' },
    ]);
    expect(on200?.error).toBeNull();
    expect(on200?.result).toBe('OK');
    expect(on202?.error).toBeNull();
    expect(on202?.result).toBe('OK');
  });

  it('sends no Authorization header when the token is empty or an unresolved macro, and uses http_proxy', () => {
    const [noToken, macroToken] = runScript('UTC', [
      { params: { ...problemParams, token: '', http_proxy: 'http://proxy.example:3128' } },
      { params: { ...problemParams, token: '{$INCIDENT_BRIDGE.TOKEN}' } },
    ]);
    if (noToken === undefined || macroToken === undefined) throw new Error('missing outcome');
    expect(onlyRequest(noToken).headers).toEqual(['Content-Type: application/json']);
    expect(onlyRequest(noToken).proxy).toBe('http://proxy.example:3128');
    expect(onlyRequest(macroToken).headers).toEqual(['Content-Type: application/json']);
    expect(onlyRequest(macroToken).proxy).toBeNull();
  });

  it('maps *UNKNOWN*, unresolved macros and bad tag JSON to null or nothing, and the bridge still accepts it', () => {
    const outcome = runOne('UTC', {
      params: {
        ...problemParams,
        host_name: '*UNKNOWN*',
        event_ack: '{EVENT.ACK.STATUS}',
        severity_name: '{EVENT.SEVERITY}',
        severity_number: '{EVENT.NSEVERITY}',
        event_tags: 'not json',
        event_url: '{$ZABBIX.URL}/tr_events.php?triggerid=23133&eventid=57',
        event_update_status: '{EVENT.UPDATE.STATUS}',
      },
    });
    const body = JSON.parse(onlyRequest(outcome).body) as Record<string, unknown>;
    expect(body).toMatchObject({
      event_update_status: 0,
      host_name: null,
      event_ack: null,
      severity: { name: null, number: null },
      event_tags: [],
      event_url: null,
      recovery_event_id: null,
      recovery_time: null,
      update: null,
    });
    const parsed = zabbixPayloadSchema.safeParse(body);
    expect(parsed.error).toBeUndefined();
    if (!parsed.success) return;
    const alert = mapZabbix(parsed.data);
    expect(alert).toMatchObject({ id: 'zabbix:57', status: 'firing', url: null, severity: 'unknown' });
    expect(alert.annotations.host_name).toBeUndefined();
  });

  it('refuses, without sending, a missing bridge_url, a non-trigger event or an unresolved event id', () => {
    const [noUrl, internalEvent, noEventId] = runScript('UTC', [
      { params: { ...problemParams, bridge_url: '' } },
      { params: { ...problemParams, event_source: '3' } },
      { params: { ...problemParams, event_id: '{EVENT.ID}' } },
    ]);
    expect(noUrl?.error).toMatch(/bridge_url/);
    expect(internalEvent?.error).toMatch(/event source 3/);
    expect(noEventId?.error).toMatch(/event_id/);
    for (const refused of [noUrl, internalEvent, noEventId]) expect(refused?.requests).toEqual([]);
  });
});
