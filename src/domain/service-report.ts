import { type Incident, PRIORITIES, type Priority, SOURCES, type Source } from './model.js';

/** Count, mean and nearest-rank percentiles of durations, in seconds; null when there is none. */
export interface DurationStats {
  readonly count: number;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
}

/** The figures of a monthly service review, for one period and one slice of the incidents. */
export interface ServiceFigures {
  /** First seen in the period. */
  readonly opened: number;
  /** Resolved in the period (the last resolve of each incident). */
  readonly resolved: number;
  /** Closed in the period. */
  readonly closed: number;
  /** Opened in the period and reopened since. */
  readonly reopened: number;
  /** Resolution due in the period (and by now) but not resolved by then. */
  readonly overdue: number;
  /** Response due in the period (and by now) but not acknowledged (nor resolved) by then. */
  readonly responseOverdue: number;
  /** Breaches the scheduled check marked in the period. */
  readonly slaBreached: number;
  /** Opened before the end of the period and neither resolved nor closed by then. */
  readonly openAtEnd: number;
  /** Of the incidents acknowledged in the period: from first seen to acknowledged. */
  readonly timeToAcknowledgeSeconds: DurationStats;
  /** Of the incidents resolved in the period: from first seen to resolved. */
  readonly timeToResolveSeconds: DurationStats;
}

export type PriorityKey = Priority | 'none';

export interface ServiceReport {
  readonly from: string;
  readonly to: string;
  readonly total: ServiceFigures;
  /** By the source of the alert that opened the incident. */
  readonly bySource: Readonly<Record<Source, ServiceFigures>>;
  /** `none`: incidents stored before priorities existed. */
  readonly byPriority: Readonly<Record<PriorityKey, ServiceFigures>>;
}

/** The source that raised the incident: that of its first alert. */
export const openedBy = (incident: Incident): Source =>
  incident.alerts[0]?.source ?? incident.sources[0] ?? 'alertmanager';

const ms = (iso: string | null | undefined): number | null => (iso == null ? null : Date.parse(iso));

/** Nearest rank: the smallest value with at least p% of the values at or below it. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

export function durationStats(durationsMs: readonly number[]): DurationStats {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const seconds = (x: number | null): number | null => (x === null ? null : Math.round(x) / 1000);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: seconds(sorted.length > 0 ? sum / sorted.length : null),
    p50: seconds(percentile(sorted, 50)),
    p90: seconds(percentile(sorted, 90)),
  };
}

function figures(incidents: readonly Incident[], from: number, to: number, now: number): ServiceFigures {
  const inPeriod = (t: number | null): t is number => t !== null && t >= from && t < to;
  const due = (t: number | null): t is number => inPeriod(t) && t <= now;
  let opened = 0;
  let resolved = 0;
  let closed = 0;
  let reopened = 0;
  let overdue = 0;
  let responseOverdue = 0;
  let slaBreached = 0;
  let openAtEnd = 0;
  const toAck: number[] = [];
  const toResolve: number[] = [];
  for (const i of incidents) {
    const first = Date.parse(i.firstSeenAt);
    const resolvedAt = ms(i.resolvedAt);
    const closedAt = ms(i.closedAt);
    const ackAt = ms(i.acknowledgedAt);
    const stopped = resolvedAt ?? closedAt;
    if (inPeriod(first)) {
      opened++;
      if (i.reopenCount > 0) reopened++;
    }
    if (inPeriod(resolvedAt)) {
      resolved++;
      toResolve.push(Math.max(0, resolvedAt - first));
    }
    if (inPeriod(closedAt)) closed++;
    if (inPeriod(ackAt)) toAck.push(Math.max(0, ackAt - first));
    if (first < to && (stopped === null || stopped >= to)) openAtEnd++;
    const resolutionDue = ms(i.sla?.resolutionDueAt);
    if (due(resolutionDue) && (stopped === null || stopped > resolutionDue)) overdue++;
    const responseDue = ms(i.sla?.responseDueAt);
    const responded = ackAt ?? stopped;
    if (due(responseDue) && (responded === null || responded > responseDue)) responseOverdue++;
    if (inPeriod(ms(i.sla?.breachedAt))) slaBreached++;
  }
  return {
    opened,
    resolved,
    closed,
    reopened,
    overdue,
    responseOverdue,
    slaBreached,
    openAtEnd,
    timeToAcknowledgeSeconds: durationStats(toAck),
    timeToResolveSeconds: durationStats(toResolve),
  };
}

/**
 * The service figures of the period `[from, to)` from the incidents as stored: each figure counts the
 * incidents whose event (opening, resolve, acknowledgement, due time ...) falls in the period. `now`
 * keeps due times still ahead from counting as overdue.
 */
export function serviceReport(
  incidents: readonly Incident[],
  period: { readonly from: string; readonly to: string },
  now: string,
): ServiceReport {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const t = Date.parse(now);
  const slice = <K extends string>(
    keys: readonly K[],
    keyOf: (i: Incident) => K,
  ): Record<K, ServiceFigures> =>
    Object.fromEntries(
      keys.map((k) => [
        k,
        figures(
          incidents.filter((i) => keyOf(i) === k),
          from,
          to,
          t,
        ),
      ]),
    ) as Record<K, ServiceFigures>;
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    total: figures(incidents, from, to, t),
    bySource: slice(SOURCES, openedBy),
    byPriority: slice<PriorityKey>([...PRIORITIES, 'none'], (i) => i.priority ?? 'none'),
  };
}
