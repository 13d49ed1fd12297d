import type { Notifier } from '../../app/notify-sink.js';
import type { Logger } from '../../app/ports.js';
import type { Notification } from '../../domain/notification.js';
import { NotifyError } from './webhook-notifier.js';

export type NotifyOutcome = 'sent' | 'retried' | 'dropped';

export interface NotifyQueueOptions {
  readonly send: (n: Notification) => Promise<void>;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly maxQueued: number;
  readonly logger: Logger;
  readonly count?: ((outcome: NotifyOutcome) => void) | undefined;
}

const MAX_BACKOFF_MS = 60_000;

/**
 * The retry stage of the outbound webhook: messages go out one at a time in the order they came
 * (so "received" is never overtaken by "resolved"), a failed one is tried again with exponential
 * backoff and jitter (or after the target's Retry-After) up to `maxAttempts`, then dropped with a
 * log line and a metric. In memory only: what waits when the process stops is not sent.
 */
export class NotifyQueue implements Notifier {
  private readonly pending: Notification[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private wake: (() => void) | null = null;

  constructor(private readonly o: NotifyQueueOptions) {}

  notify(n: Notification): void {
    if (this.closed) return;
    if (this.pending.length >= this.o.maxQueued) {
      this.o.count?.('dropped');
      this.o.logger.warn('notification dropped', {
        event: n.event,
        incidentId: n.incident.id,
        reason: 'queue-full',
      });
      return;
    }
    this.pending.push(n);
    this.pump();
  }

  /** One sender at a time; a message handed over while the last one finishes starts it again. */
  private pump(): void {
    if (this.running !== null || this.closed || this.pending.length === 0) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private async drain(): Promise<void> {
    for (let n = this.pending[0]; n !== undefined && !this.closed; n = this.pending[0]) {
      await this.deliver(n);
      this.pending.shift();
    }
  }

  private async deliver(n: Notification): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.send(n);
        this.o.count?.('sent');
        return;
      } catch (e) {
        const retryable = !(e instanceof NotifyError) || e.retryable;
        if (!retryable || attempt >= this.o.maxAttempts || this.closed) {
          this.o.count?.('dropped');
          this.o.logger.warn('notification dropped', {
            event: n.event,
            incidentId: n.incident.id,
            attempts: attempt,
            error: String(e),
          });
          return;
        }
        this.o.count?.('retried');
        const ceiling = Math.min(MAX_BACKOFF_MS, this.o.retryBaseMs * 2 ** (attempt - 1));
        const backoff = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
        await this.sleep(e instanceof NotifyError && e.retryAfterMs !== null ? e.retryAfterMs : backoff);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Stops sending: the message being tried gets no more tries, those waiting are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
    if (this.pending.length > 0) {
      this.o.logger.warn('notifications dropped at shutdown', { count: this.pending.length });
      for (const _ of this.pending) this.o.count?.('dropped');
      this.pending.length = 0;
    }
  }
}
