import type { CatchUpMetrics, SenderReader } from '../../app/catch-up-ports.js';
import type { Clock, Logger } from '../../app/ports.js';
import type { SenderView } from '../../domain/catch-up-plan.js';
import type { AlertEvent } from '../../domain/model.js';
import { mapAlertmanagerAlert } from '../sources/alertmanager-mapper.js';
import type { AlertmanagerApi } from './alertmanager-api.js';
import type { GettableAlert } from './alertmanager-api-schemas.js';

export interface AlertmanagerResyncOptions {
  /** One Alertmanager, or every member of an HA cluster. */
  readonly apis: readonly AlertmanagerApi[];
  /** Only alerts routed to one of these receivers are opened; empty: every alert. */
  readonly receivers: readonly string[];
  /**
   * An Alertmanager up for less than this cannot prove an alert has ended: it keeps no alerts across a
   * restart until Prometheus sends them again (every `--rules.alert.resend-delay`, 1 m by default).
   */
  readonly minUptimeMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Pick<CatchUpMetrics, 'apiError'>;
}

type Answer =
  | { readonly ok: true; readonly alerts: readonly GettableAlert[]; readonly canProveAbsence: boolean }
  | { readonly ok: false };

/**
 * Reads the alerts of every configured Alertmanager (`GET /api/v2/alerts`) into what the catch-up
 * compares with the bridge's incidents.
 *
 * The rule for resolving: an alert the bridge holds as firing has ended when it is absent from every
 * Alertmanager that answered, provided at least one of them answered and has been up for
 * `minUptimeMs`. When none answered (or only ones that just started), nothing is resolved. Alerts
 * present in any answer, silenced and inhibited ones included, keep their incidents open.
 *
 * The rule for opening: an alert that is `active` (neither silenced, inhibited nor unprocessed) in any
 * answer and routed to one of `receivers` (any receiver when none are configured) is opened when the
 * bridge lacks it: that is what Alertmanager's webhook would have told.
 */
export class AlertmanagerResync implements SenderReader {
  readonly source = 'alertmanager' as const;

  constructor(private readonly options: AlertmanagerResyncOptions) {}

  async read(_firing: unknown, signal: AbortSignal): Promise<SenderView> {
    const at = this.options.clock.now();
    const answers = await Promise.all(this.options.apis.map((api) => this.ask(api, at, signal)));
    const answered = answers.filter((a) => a.ok);
    if (answered.length === 0) throw new Error('no Alertmanager answered');

    const present = new Set<string>();
    const firing = new Map<string, AlertEvent>();
    for (const answer of answered) {
      for (const a of answer.alerts) {
        const event = mapAlertmanagerAlert({ ...a, status: 'firing', endsAt: undefined });
        present.add(event.id);
        if (a.status.state === 'active' && this.routedToBridge(a)) firing.set(event.id, event);
      }
    }
    const provable = answered.some((a) => a.canProveAbsence);
    if (!provable) {
      this.options.logger.info('alertmanager resync resolves nothing: no answer can prove an absence', {
        answered: answered.length,
        asked: answers.length,
      });
    }
    return {
      firing: [...firing.values()],
      ended: [],
      absent: provable ? { present, at: at.toISOString() } : undefined,
    };
  }

  private routedToBridge(a: GettableAlert): boolean {
    const { receivers } = this.options;
    return receivers.length === 0 || a.receivers.some((r) => receivers.includes(r.name));
  }

  private async ask(api: AlertmanagerApi, at: Date, signal: AbortSignal): Promise<Answer> {
    let op = 'status';
    try {
      const startedAt = await api.startedAt(signal);
      op = 'alerts';
      const alerts = await api.alerts(signal);
      const canProveAbsence = at.getTime() - Date.parse(startedAt) >= this.options.minUptimeMs;
      return { ok: true, alerts, canProveAbsence };
    } catch (e) {
      if (signal.aborted) throw e;
      this.options.metrics.apiError('alertmanager', op);
      this.options.logger.warn('alertmanager api request failed', { url: api.url, op, error: String(e) });
      return { ok: false };
    }
  }
}
