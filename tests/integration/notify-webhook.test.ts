import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { jiraSimEnv } from '../helpers/jira-env.js';
import { storm } from '../helpers/storm.js';
import { until } from '../helpers/until.js';
import { startJiraSimulator } from '../jira-sim/jira-simulator.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: { event: string; text: string; ticket: { key: string } | null; incident: { id: string } };
}

/** A chat bot's incoming webhook: records what it gets, answers `statuses` in turn, then 200. */
async function startReceiver(
  statuses: number[] = [],
): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200)
        got.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/chat?channel=ops`,
    got,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

const metric = async (b: TestBridge, name: string): Promise<number> => {
  const text = await (await fetch(`${b.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
};

describe('keeping people informed through NOTIFY_URL', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('says at once that the incident was received, then its ticket, acknowledgement and resolve', async () => {
    const sim = await startJiraSimulator({ flavor: 'cloud' });
    cleanup.push(() => sim.close());
    const chat = await startReceiver();
    cleanup.push(() => chat.close());
    const clock = new ManualClock(Date.parse('2026-11-22T20:00:00Z'));
    const b = await startTestBridge({
      clock,
      env: { ...jiraSimEnv(sim), NOTIFY_URL: chat.url, NOTIFY_TOKEN: 'chat-secret' },
    });
    cleanup.push(() => b.close());

    const [fire] = storm({ incidents: 1, alerts: 2, deliveries: 1 });
    const [resolve] = storm({ incidents: 1, alerts: 2, deliveries: 1, status: 'resolved' });
    if (!fire || !resolve) throw new Error('storm too small');
    await b.post('/webhooks/alertmanager', fire.body);
    await b.settle();
    const opened = await until(() => (chat.got.length >= 2 ? chat.got : null), 'received and ticket');
    const key = sim.issues()[0]?.key;
    expect(opened.map((m) => m.body.text)).toEqual([
      'INC-1 received: Storm 0 on host-0. Priority P1, due by 2026-11-23 00:00 UTC. Ticket to follow.',
      `INC-1: ticket ${key}.`,
    ]);
    expect(opened[1]?.body.ticket?.key).toBe(key);
    expect(opened[0]?.headers.authorization).toBe('Bearer chat-secret');
    expect(opened[0]?.headers['content-type']).toBe('application/json');

    clock.advance(5 * 60_000);
    await b.post('/api/incidents/INC-1/ack', { by: 'alice' });
    await b.post('/webhooks/alertmanager', resolve.body);
    await b.settle();
    const all = await until(() => (chat.got.length >= 4 ? chat.got : null), 'acknowledged and resolved');
    expect(all.slice(2).map((m) => [m.body.event, m.body.text])).toEqual([
      ['incident-acknowledged', 'INC-1 acknowledged by alice: someone is working on it.'],
      ['incident-resolved', 'INC-1 resolved: every alert has cleared.'],
    ]);
    expect(await metric(b, 'incident_bridge_notifications_total{outcome="sent"}')).toBe(4);
  });

  it('tries again after failures, in order, and never holds up incident handling', async () => {
    // 503, then 429 with Retry-After, then fine.
    const chat = await startReceiver([503, 429]);
    cleanup.push(() => chat.close());
    const b = await startTestBridge({ env: { NOTIFY_URL: chat.url, NOTIFY_RETRY_BASE_MS: '20' } });
    cleanup.push(() => b.close());
    for (const d of storm({ incidents: 3, alerts: 3, deliveries: 3 })) {
      expect((await b.post('/webhooks/alertmanager', d.body)).status).toBe(202);
    }
    await b.settle();
    await until(() => (chat.got.length === 3 ? true : null), 'three messages');
    expect(chat.got.map((m) => m.body.incident.id)).toEqual(['INC-1', 'INC-2', 'INC-3']);
    // Without a tracker no message promises a ticket.
    expect(chat.got[0]?.body.text).toMatch(
      /^INC-1 received: Storm 0 on host-0\. Priority P1, due by \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/,
    );
    expect(await metric(b, 'incident_bridge_notifications_total{outcome="retried"}')).toBe(2);
    expect(await metric(b, 'incident_bridge_notifications_total{outcome="dropped"}')).toBe(0);
  });

  it('drops a message after its last try when the target stays away, and carries on', async () => {
    const chat = await startReceiver();
    const url = chat.url;
    await chat.close();
    const b = await startTestBridge({
      env: { NOTIFY_URL: url, NOTIFY_RETRY_BASE_MS: '10', NOTIFY_MAX_ATTEMPTS: '3' },
    });
    cleanup.push(() => b.close());
    const started = Date.now();
    for (const d of storm({ incidents: 2, alerts: 2, deliveries: 2 })) {
      expect((await b.post('/webhooks/alertmanager', d.body)).status).toBe(202);
    }
    await b.settle();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await b.get('/api/incidents')).body.incidents).toHaveLength(2);
    await until(
      async () =>
        (await metric(b, 'incident_bridge_notifications_total{outcome="dropped"}')) === 2 ? true : null,
      'both dropped',
    );
    expect(await metric(b, 'incident_bridge_notifications_total{outcome="retried"}')).toBe(4);
  });
});

describe('notifications about problems and releases', () => {
  it('tells the followers of an incident that it joined a problem and that a release closed it', async () => {
    const receiver = await startReceiver();
    const b = await startTestBridge({ env: { NOTIFY_URL: receiver.url } });
    try {
      const [fire] = storm({ incidents: 1, alerts: 1, deliveries: 1 });
      const [resolve] = storm({ incidents: 1, alerts: 1, deliveries: 1, status: 'resolved' });
      if (!fire || !resolve) throw new Error('storm too small');
      await b.post('/webhooks/alertmanager', fire.body);
      await b.post('/webhooks/alertmanager', resolve.body);
      await b.settle();
      const id = ((await b.get('/api/incidents')).body.incidents as { id: string }[])[0]?.id ?? '';
      expect((await b.post('/api/problems', { title: 'Leaky pool', incidentIds: [id] })).status).toBe(201);
      await fetch(`${b.url}/api/problems/PRB-1`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fixVersion: '7.1' }),
      });
      await b.post('/api/releases', { version: '7.1' });
      await b.settle();
      const events = await until(() => {
        const seen = receiver.got.map((g) => g.body.event);
        return seen.includes('release-closed') ? seen : null;
      }, 'a release-closed message');
      expect(events).toContain('problem-linked');
      const linked = receiver.got.find((g) => g.body.event === 'problem-linked');
      expect(linked?.body.text).toContain('PRB-1');
      const closed = receiver.got.find((g) => g.body.event === 'release-closed');
      expect(closed?.body.text).toContain('7.1');
      expect(receiver.got.filter((g) => g.body.event === 'release-closed')).toHaveLength(1);
    } finally {
      await b.close();
      await receiver.close();
    }
  }, 30_000);
});
