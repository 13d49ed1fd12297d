import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  DELIVERY_JOB,
  type DeliveryRef,
  decodeDeliveryBody,
  readDeliveryJob,
} from '../../src/adapters/queue/delivery-jobs.js';
import { mapAlertmanager } from '../../src/adapters/sources/alertmanager-mapper.js';
import { alertmanagerPayloadSchema } from '../../src/adapters/sources/alertmanager-payload.js';
import { decodeWebhookBody } from '../../src/adapters/sources/webhook-sources.js';
import { mapZabbix } from '../../src/adapters/sources/zabbix-mapper.js';
import { zabbixPayloadSchema } from '../../src/adapters/sources/zabbix-payload.js';
import type { Delivery } from '../../src/app/ports.js';
import { fixture } from '../helpers/fixtures.js';

/** A captured body as the sender wrote it (the bytes on disk, not a re-serialisation). */
const capturedBody = (source: 'alertmanager' | 'zabbix', name: string): Buffer =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', source, `${name}.json`));

const delivery: Delivery = {
  source: 'zabbix',
  receivedAt: '2026-11-22T20:00:00.000Z',
  events: [],
};
const v2 = {
  v: 2,
  source: 'alertmanager',
  receivedAt: '2026-11-22T20:00:00.000Z',
  bodyKey: 'p:delivery-body:abc',
};

/** Calls `fn` and returns what it threw (failing the test when it threw nothing). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw, got none');
}

describe('readDeliveryJob', () => {
  it('reads a version 1 job as its delivery, inline', () => {
    const ref = readDeliveryJob(DELIVERY_JOB, { v: 1, delivery });
    expect(ref).toEqual({ kind: 'inline', delivery });
    expect(ref.kind === 'inline' && ref.delivery).toBe(delivery);
  });

  it('reads a version 2 job as a reference to its body', () => {
    expect(readDeliveryJob(DELIVERY_JOB, { ...v2 })).toEqual({
      kind: 'body',
      source: 'alertmanager',
      receivedAt: v2.receivedAt,
      bodyKey: v2.bodyKey,
    });
    expect(readDeliveryJob(DELIVERY_JOB, { ...v2, source: 'zabbix' })).toMatchObject({
      kind: 'body',
      source: 'zabbix',
    });
  });

  const { delivery: _d, ...v1WithoutDelivery } = { v: 1, delivery };
  const { bodyKey: _k, ...v2WithoutKey } = v2;
  const { receivedAt: _r, ...v2WithoutReceivedAt } = v2;
  const { source: _s, ...v2WithoutSource } = v2;
  const { events: _e, ...deliveryWithoutEvents } = delivery;
  const bad: [string, string, unknown][] = [
    ['a version 1 job under another name', 'notify', { v: 1, delivery }],
    ['a version 2 job under another name', 'notify', v2],
    ['an unknown version', DELIVERY_JOB, { ...v2, v: 3 }],
    ['a version given as a string', DELIVERY_JOB, { ...v2, v: '2' }],
    ['no version', DELIVERY_JOB, { delivery }],
    ['null data', DELIVERY_JOB, null],
    ['undefined data', DELIVERY_JOB, undefined],
    ['a string as data', DELIVERY_JOB, 'ingest'],
    ['version 1 without a delivery', DELIVERY_JOB, v1WithoutDelivery],
    ['version 1 of an unknown source', DELIVERY_JOB, { v: 1, delivery: { ...delivery, source: 'nagios' } }],
    ['version 1 without receivedAt', DELIVERY_JOB, { v: 1, delivery: { ...delivery, receivedAt: 7 } }],
    ['version 1 without events', DELIVERY_JOB, { v: 1, delivery: deliveryWithoutEvents }],
    ['version 1 with events not a list', DELIVERY_JOB, { v: 1, delivery: { ...delivery, events: {} } }],
    ['version 1 data shaped as version 2', DELIVERY_JOB, { ...v2, v: 1 }],
    ['version 2 data shaped as version 1', DELIVERY_JOB, { v: 2, delivery }],
    ['version 2 of an unknown source', DELIVERY_JOB, { ...v2, source: 'nagios' }],
    ['version 2 without a source', DELIVERY_JOB, v2WithoutSource],
    ['version 2 without a body key', DELIVERY_JOB, v2WithoutKey],
    ['version 2 with a numeric body key', DELIVERY_JOB, { ...v2, bodyKey: 42 }],
    ['version 2 without receivedAt', DELIVERY_JOB, v2WithoutReceivedAt],
    ['version 2 with receivedAt as a number', DELIVERY_JOB, { ...v2, receivedAt: Date.now() }],
  ];
  it.each(bad)('fails for good on %s', (_what, name, data) => {
    const e = thrown(() => readDeliveryJob(name, data));
    expect(e).toBeInstanceOf(UnrecoverableError);
    expect((e as Error).message).toContain('not a delivery job');
  });
});

describe('decodeDeliveryBody', () => {
  const ref: Extract<DeliveryRef, { kind: 'body' }> = {
    kind: 'body',
    source: 'alertmanager',
    receivedAt: '2026-11-22T20:01:02.000Z',
    bodyKey: 'p:delivery-body:gone-1',
  };

  it('fails for good, naming the key, when the body is gone', () => {
    let called = false;
    const e = thrown(() =>
      decodeDeliveryBody(ref, null, () => {
        called = true;
        return [];
      }),
    );
    expect(e).toBeInstanceOf(UnrecoverableError);
    expect((e as Error).message).toContain('gone');
    expect((e as Error).message).toContain(ref.bodyKey);
    expect(called).toBe(false);
  });

  const unreadable: [string, Buffer][] = [
    ['a body that is not JSON', Buffer.from('{"version": "4", "alerts": [')],
    ['an empty body', Buffer.alloc(0)],
    [
      'a body failing the schema',
      Buffer.from(JSON.stringify({ ...fixture('alertmanager', '01-firing-single'), version: '3' })),
    ],
    ['a Zabbix body read as Alertmanager', capturedBody('zabbix', 'problem')],
  ];
  it.each(unreadable)('fails for good on %s', (_what, body) => {
    const e = thrown(() => decodeDeliveryBody(ref, body, decodeWebhookBody));
    expect(e).toBeInstanceOf(UnrecoverableError);
    expect((e as Error).message).toContain('alertmanager delivery cannot be read');
  });

  it('reads a captured Alertmanager body into the events the mapper makes of it', () => {
    const body = capturedBody('alertmanager', '04-firing-group-3');
    const got = decodeDeliveryBody(ref, body, decodeWebhookBody);
    const expected = mapAlertmanager(alertmanagerPayloadSchema.parse(JSON.parse(body.toString('utf8'))));
    expect(expected).toHaveLength(3);
    expect(got).toEqual({ source: 'alertmanager', receivedAt: ref.receivedAt, events: expected });
  });

  it('hands the decoder the source of the job and the body as UTF-8 text', () => {
    const body = Buffer.from('{"note":"Grüße, 東京"}', 'utf8');
    const seen: [string, string][] = [];
    const got = decodeDeliveryBody({ ...ref, source: 'zabbix' }, body, (source, text) => {
      seen.push([source, text]);
      return [];
    });
    expect(seen).toEqual([['zabbix', '{"note":"Grüße, 東京"}']]);
    expect(got).toEqual({ source: 'zabbix', receivedAt: ref.receivedAt, events: [] });
  });
});

describe('decodeWebhookBody', () => {
  it.each(['problem', 'recovery', 'update-ack'])(
    'reads the captured Zabbix body %s as the webhook would',
    (name) => {
      const text = capturedBody('zabbix', name).toString('utf8');
      const events = decodeWebhookBody('zabbix', text);
      expect(events).toEqual([mapZabbix(zabbixPayloadSchema.parse(JSON.parse(text)))]);
      expect(events[0]?.source).toBe('zabbix');
      expect(events[0]?.id).toBe(`zabbix:${(JSON.parse(text) as { event_id: string }).event_id}`);
    },
  );

  it('throws on a Zabbix body that fails the schema', () => {
    const body = JSON.stringify({ ...fixture('zabbix', 'problem'), event_id: 'not-a-number' });
    expect(() => decodeWebhookBody('zabbix', body)).toThrow();
  });
});
