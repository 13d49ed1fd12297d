import type { AlertEvent, AlertState, Source } from './model.js';

/**
 * Why a catch-up sends an event, in logs, in `incident_bridge_catchup_items_total{kind}` and in tests:
 * the sender has an alert firing that the bridge never heard of (or heard of an older firing), or an
 * alert the bridge holds as firing has ended at the sender.
 */
export const CATCH_UP_KINDS = ['missed-firing', 'missed-resolve'] as const;
export type CatchUpKind = (typeof CATCH_UP_KINDS)[number];

/** An alert that has ended at the sender. */
export interface EndedAlert {
  readonly id: string;
  /** When it ended (Zabbix: the recovery event's time). */
  readonly endsAt: string;
  /**
   * Its firing and resolved events as the sender's webhooks would have told them, when the sender still
   * has them: the bridge may never have seen this alert at all.
   */
  readonly story?: readonly AlertEvent[] | undefined;
}

/** What a sender says now about the alerts the bridge handles. */
export interface SenderView {
  /** Alerts firing at the sender, as its webhook would have told them. */
  readonly firing: readonly AlertEvent[];
  /** Alerts known to have ended (Zabbix keeps problems and their recoveries). */
  readonly ended: readonly EndedAlert[];
  /**
   * For senders that forget ended alerts (Alertmanager): every alert id the sender still holds, and the
   * time it was asked. A firing alert the bridge holds that is not `present` ended at `at`. Absent when
   * the sender's answer cannot prove an absence (nobody answered, or only an instance that just started).
   */
  readonly absent?: { readonly present: ReadonlySet<string>; readonly at: string } | undefined;
}

export interface CatchUpItem {
  readonly kind: CatchUpKind;
  readonly event: AlertEvent;
}

const ms = (iso: string): number => Date.parse(iso);

/** The resolve the bridge missed, told about an alert it holds: same identity, labels and start. */
function resolvedFrom(a: AlertState, endsAt: string): AlertEvent {
  return {
    id: a.id,
    source: a.source,
    status: 'resolved',
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt,
    url: a.url,
    title: a.title,
    severity: a.severity,
  };
}

/** True when the sender's firing `e` is news to the bridge, which holds `known` (or nothing) for it. */
function firingIsNews(e: AlertEvent, known: AlertState | undefined): boolean {
  if (known === undefined) return true;
  // It ended and fired again while the bridge was not told.
  if (known.status === 'firing') return ms(e.startsAt) > ms(known.startsAt);
  return ms(e.startsAt) > ms(known.endsAt ?? known.startsAt);
}

/**
 * Compares what a sender says with the alerts the bridge holds for that source and answers the events
 * the bridge missed, in the order to ingest them. Pure; the events go through the same ingest as a
 * webhook delivery, so anything the bridge already has comes out as a duplicate or stale there anyway:
 * this only keeps catch-up runs from re-sending what changes nothing.
 *
 * `known`: the bridge's alerts of `source` by id: every alert of its active incidents, and the alerts
 * of the incidents currently holding the keys of the sender's alerts.
 */
export function planCatchUp(
  source: Source,
  known: ReadonlyMap<string, AlertState>,
  view: SenderView,
): CatchUpItem[] {
  const items: CatchUpItem[] = [];
  const told = new Set<string>();

  for (const e of view.firing) {
    if (e.source !== source || told.has(e.id)) continue;
    told.add(e.id);
    if (firingIsNews(e, known.get(e.id))) items.push({ kind: 'missed-firing', event: e });
  }

  for (const x of view.ended) {
    if (told.has(x.id)) continue;
    told.add(x.id);
    const k = known.get(x.id);
    if (k === undefined) {
      for (const e of x.story ?? []) {
        items.push({ kind: e.status === 'firing' ? 'missed-firing' : 'missed-resolve', event: e });
      }
    } else if (k.status === 'firing' && ms(x.endsAt) >= ms(k.startsAt)) {
      items.push({ kind: 'missed-resolve', event: resolvedFrom(k, x.endsAt) });
    }
  }

  if (view.absent) {
    const { present, at } = view.absent;
    for (const k of known.values()) {
      if (k.source !== source || k.status !== 'firing' || present.has(k.id) || told.has(k.id)) continue;
      // An alert that started after the sender was asked cannot be judged by that answer.
      if (ms(at) <= ms(k.startsAt)) continue;
      items.push({ kind: 'missed-resolve', event: resolvedFrom(k, at) });
    }
  }
  return items;
}
