import { type CatchUpItem, type CatchUpKind, planCatchUp } from '../domain/catch-up-plan.js';
import { type GroupingRules, groupAlert } from '../domain/grouping.js';
import type { AlertEvent, AlertState, Incident, Source } from '../domain/model.js';
import type { CatchUpMetrics, SenderReader } from './catch-up-ports.js';
import type { Clock, IncidentStore, Intake, Logger } from './ports.js';

export interface CatchUpDeps {
  readonly store: IncidentStore;
  readonly intake: Intake;
  readonly grouping: GroupingRules;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: CatchUpMetrics;
}

export type CatchUpSummary = Readonly<Record<CatchUpKind, number>> & { readonly source: Source };

/** Active incidents read per catch-up; past this, the oldest are not looked at (and a warning says so). */
const MAX_ACTIVE_INCIDENTS = 50_000;
/** Events per delivery handed to the intake. */
const EVENTS_PER_DELIVERY = 500;

/** The incident currently holding `key`, read without changing anything. */
const incidentOfKey = (store: IncidentStore, key: string): Promise<Incident | null> =>
  store.updateByKey(key, async (current) => ({ next: null, write: false, result: current }));

/** Every alert of `source` in the open and acknowledged incidents. */
async function activeAlerts(deps: CatchUpDeps, source: Source): Promise<Map<string, AlertState>> {
  const known = new Map<string, AlertState>();
  for (const status of ['open', 'acknowledged'] as const) {
    const incidents = await deps.store.list({ status, source, limit: MAX_ACTIVE_INCIDENTS });
    if (incidents.length === MAX_ACTIVE_INCIDENTS) {
      deps.logger.warn('catch-up looks at the newest active incidents only', {
        source,
        status,
        limit: MAX_ACTIVE_INCIDENTS,
      });
    }
    for (const i of incidents) for (const a of i.alerts) if (a.source === source) known.set(a.id, a);
  }
  return known;
}

/**
 * One catch-up pass for one sender: reads what the bridge holds, asks the sender, and ingests what
 * the bridge missed exactly as a webhook delivery would (same intake, same decisions, so a webhook
 * arriving late afterwards is a duplicate). The bridge's state is read before the sender is asked, so
 * an alert that arrives by webhook meanwhile is never judged by an older answer.
 */
export async function catchUp(
  deps: CatchUpDeps,
  reader: SenderReader,
  signal: AbortSignal,
): Promise<CatchUpSummary> {
  const { source } = reader;
  const known = await activeAlerts(deps, source);
  const view = await reader.read(
    [...known.values()].filter((a) => a.status === 'firing'),
    signal,
  );

  // Alerts the sender has that no active incident holds: look in the incident holding their key.
  const lookedUp = new Set<string>();
  const unknown: AlertEvent[] = [
    ...view.firing,
    ...view.ended.flatMap((x) => (x.story ?? []).slice(0, 1)),
  ].filter((e) => !known.has(e.id));
  for (const e of unknown) {
    const { key } = groupAlert(deps.grouping, e.source, e.labels);
    if (lookedUp.has(key)) continue;
    lookedUp.add(key);
    const incident = await incidentOfKey(deps.store, key);
    for (const a of incident?.alerts ?? []) if (a.source === source && !known.has(a.id)) known.set(a.id, a);
  }

  const plan = planCatchUp(source, known, view);
  await ingest(deps, source, plan, signal);
  const summary = { source, 'missed-firing': 0, 'missed-resolve': 0 };
  for (const item of plan) summary[item.kind] += 1;
  for (const kind of ['missed-firing', 'missed-resolve'] as const) {
    if (summary[kind] > 0) deps.metrics.caughtUp(source, kind, summary[kind]);
  }
  const fields = { ...summary, firingAtSender: view.firing.length, endedAtSender: view.ended.length };
  if (plan.length > 0) deps.logger.info('caught up', fields);
  else deps.logger.debug('nothing to catch up', fields);
  return summary;
}

async function ingest(
  deps: CatchUpDeps,
  source: Source,
  plan: readonly CatchUpItem[],
  signal: AbortSignal,
): Promise<void> {
  for (let at = 0; at < plan.length; at += EVENTS_PER_DELIVERY) {
    signal.throwIfAborted();
    const events = plan.slice(at, at + EVENTS_PER_DELIVERY).map((i) => i.event);
    await deps.intake.submit({
      type: 'ingest',
      delivery: { source, receivedAt: deps.clock.now().toISOString(), events },
    });
  }
}
