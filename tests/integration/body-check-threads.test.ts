import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckBody } from '../../src/adapters/http/body-check.js';
import { BodyCheckThreads } from '../../src/adapters/http/body-check-threads.js';
import { AppError } from '../../src/adapters/http/errors.js';
import { silentLogger } from '../../src/adapters/logging/winston-logger.js';
import { countWebhookBody } from '../../src/adapters/sources/webhook-sources.js';
import { fixture } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

const SOURCES = ['alertmanager', 'zabbix'] as const;
const fixtureNames = (source: string): string[] =>
  readdirSync(join(import.meta.dirname, '..', 'fixtures', source))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length));

/** What the calling thread answers for a body: its alerts, or the error it throws. */
function inlineOutcome(source: (typeof SOURCES)[number], text: string): unknown {
  try {
    return { alerts: countWebhookBody(source, text) };
  } catch (e) {
    return errorOutcome(e);
  }
}
const errorOutcome = (e: unknown): unknown =>
  e instanceof AppError
    ? { status: e.status, code: e.code, message: e.message, details: e.details }
    : { other: String(e) };

async function threadOutcome(check: CheckBody, source: (typeof SOURCES)[number], text: string) {
  return check(source, text).then(
    (alerts) => ({ alerts }),
    (e: unknown) => errorOutcome(e),
  );
}

describe('body check threads', () => {
  let threads: BodyCheckThreads | undefined;
  let inlineCalls = 0;
  const start = (count: number, restartDelayMs = 1_000): BodyCheckThreads => {
    inlineCalls = 0;
    threads = new BodyCheckThreads({
      count,
      logger: silentLogger,
      restartDelayMs,
      inline: async (source, text) => {
        inlineCalls++;
        return countWebhookBody(source, text);
      },
    });
    return threads;
  };
  afterEach(async () => {
    await threads?.close();
    threads = undefined;
  });

  it('counts the alerts of every captured payload as the answering thread would', async () => {
    const t = start(2);
    for (const source of SOURCES) {
      for (const name of fixtureNames(source)) {
        const text = JSON.stringify(fixture(source, name));
        const outcome = await threadOutcome(t.check, source, text);
        expect(outcome, `${source}/${name}`).toEqual(inlineOutcome(source, text));
        expect(outcome).toHaveProperty('alerts');
      }
    }
    expect(inlineCalls).toBe(0);
  });

  it('refuses a bad body with the same 400 as the answering thread, naming the fields', async () => {
    const t = start(1);
    const badAlert = fixture<{ alerts: Record<string, unknown>[] }>('alertmanager', '04-firing-group-3');
    (badAlert.alerts[1] as Record<string, unknown>).startsAt = 'yesterday';
    (badAlert.alerts[2] as Record<string, unknown>).status = 'burning';
    const badZabbix = fixture('zabbix', 'problem');
    delete badZabbix.event_id;
    const bodies: [(typeof SOURCES)[number], string][] = [
      ['alertmanager', JSON.stringify(badAlert)],
      ['alertmanager', '{"version": "4", "alerts": ['],
      ['alertmanager', '[]'],
      ['zabbix', JSON.stringify(badZabbix)],
    ];
    for (const [source, text] of bodies) {
      const outcome = await threadOutcome(t.check, source, text);
      expect(outcome).toEqual(inlineOutcome(source, text));
      expect(outcome).toMatchObject({ status: 400 });
    }
    const named = (await threadOutcome(t.check, 'alertmanager', JSON.stringify(badAlert))) as {
      details: { path: string }[];
    };
    expect(named.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(['alerts.1.startsAt', 'alerts.2.status']),
    );
  });

  it('fails the checks of a thread that stops, checks here until it is back, then uses it again', async () => {
    const t = start(1, 300);
    // A body big enough that its check is still running when the thread is stopped.
    const big = fixture<{ alerts: unknown[] }>('alertmanager', '04-firing-group-3');
    big.alerts = Array.from({ length: 20_000 }, (_, i) => ({
      ...(big.alerts[0] as object),
      labels: { alertname: `Load${i}`, instance: `host-${i}` },
    }));
    const inHand = t.check('alertmanager', JSON.stringify(big));
    const worker = (t as unknown as { slots: { worker: Worker | null }[] }).slots[0]?.worker;
    expect(worker).toBeTruthy();
    await worker?.terminate();
    const lost = await inHand.then(
      () => null,
      (e: unknown) => e,
    );
    // Not a 400: the sender is told to try again (503), as for any other failure to store.
    expect(lost).toBeInstanceOf(Error);
    expect(lost).not.toBeInstanceOf(AppError);
    expect(t.running()).toBe(0);

    const text = JSON.stringify(fixture('alertmanager', '04-firing-group-3'));
    expect(await t.check('alertmanager', text)).toBe(3);
    expect(inlineCalls).toBe(1);

    await until(() => (t.running() === 1 ? true : null), 'the thread is started again', 10_000);
    expect(await t.check('alertmanager', text)).toBe(3);
    expect(inlineCalls).toBe(1);
  });
});
