import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/logging/winston-logger.js';
import { type NotifyOutcome, NotifyQueue } from '../../src/adapters/notify/notify-queue.js';
import { NotifyError } from '../../src/adapters/notify/webhook-notifier.js';
import type { Notification } from '../../src/domain/notification.js';

const message = (id: string): Notification => ({
  event: 'incident-opened',
  text: `${id} received`,
  at: '2026-11-22T20:00:00.000Z',
  incident: {
    id,
    title: 't',
    status: 'open',
    severity: 'critical',
    priority: 'P1',
    sources: ['alertmanager'],
  },
  ticket: null,
  sla: null,
});

/** A target answering from a script: an error to throw, or null for success. */
function queueWith(answers: (Error | null)[], maxQueued = 100) {
  const sent: string[] = [];
  const outcomes: NotifyOutcome[] = [];
  const q = new NotifyQueue({
    send: async (n) => {
      const a = answers.shift() ?? null;
      if (a) throw a;
      sent.push(n.incident.id);
    },
    maxAttempts: 3,
    retryBaseMs: 1,
    maxQueued,
    logger: silentLogger,
    count: (o) => outcomes.push(o),
  });
  const settled = async (n: number) => {
    for (let i = 0; i < 200 && outcomes.filter((o) => o !== 'retried').length < n; i++)
      await new Promise((r) => setTimeout(r, 5));
  };
  return { q, sent, outcomes, settled };
}

describe('the notification queue', () => {
  it('keeps the order, trying a failed message again before the next', async () => {
    const { q, sent, outcomes, settled } = queueWith([new NotifyError(503, true, 'down'), null]);
    for (const id of ['INC-1', 'INC-2', 'INC-3']) q.notify(message(id));
    await settled(3);
    expect(sent).toEqual(['INC-1', 'INC-2', 'INC-3']);
    expect(outcomes).toEqual(['retried', 'sent', 'sent', 'sent']);
  });

  it('drops at once what the target refuses for good, and goes on', async () => {
    const { q, sent, outcomes, settled } = queueWith([new NotifyError(404, false, 'no such hook')]);
    q.notify(message('INC-1'));
    q.notify(message('INC-2'));
    await settled(2);
    expect(sent).toEqual(['INC-2']);
    expect(outcomes).toEqual(['dropped', 'sent']);
  });

  it('drops after the last try, and past its bound', async () => {
    const down = () => new NotifyError(null, true, 'ECONNREFUSED');
    const { q, outcomes, settled } = queueWith([down(), down(), down(), down(), down(), down()], 1);
    q.notify(message('INC-1'));
    q.notify(message('INC-2'));
    await settled(2);
    expect(outcomes).toEqual(['dropped', 'retried', 'retried', 'dropped']);
    await q.close();
  });
});
