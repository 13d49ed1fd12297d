import { addWorkingTime, workingTimeBetween } from './business-calendar.js';
import { type BatchOutcome, type CommandOutcome, MAX_NEWS } from './incident-decisions.js';
import type {
  Incident,
  IncidentEffect,
  IncidentStatus,
  NewsItem,
  NewsKind,
  Priority,
  SlaClock,
} from './model.js';
import { calendarNamed, decidePriority, type PriorityRules } from './priority.js';

/** The warning comes when this share of the resolution time is used. */
export const WARN_AT_SHARE = 0.75;

const isActive = (s: IncidentStatus): boolean => s === 'open' || s === 'acknowledged';
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The due times of a priority's targets, counted from `openedAt` on their calendars. Marks already
 * made stay: a warning or a breach is told once in an incident's life, whatever happens after.
 */
export function startSlaClock(
  openedAt: string,
  priority: Priority,
  rules: PriorityRules,
  marks: Pick<SlaClock, 'warnedAt' | 'breachedAt'> = { warnedAt: null, breachedAt: null },
): SlaClock {
  const policy = rules.sla[priority];
  const start = Date.parse(openedAt);
  const resolution = calendarNamed(rules, policy.resolutionCalendar);
  return {
    calendar: resolution.name,
    timeZone: resolution.timeZone,
    responseDueAt: iso(
      addWorkingTime(start, policy.responseMs, calendarNamed(rules, policy.responseCalendar)),
    ),
    warnAt: iso(addWorkingTime(start, Math.round(policy.resolutionMs * WARN_AT_SHARE), resolution)),
    resolutionDueAt: iso(addWorkingTime(start, policy.resolutionMs, resolution)),
    ...marks,
  };
}

function tell(news: readonly NewsItem[], item: Omit<NewsItem, 'seq'> & { kind: NewsKind }): NewsItem[] {
  const seq = (news.at(-1)?.seq ?? 0) + 1;
  return [...news, { ...item, seq }].slice(-MAX_NEWS);
}

/**
 * Gives the incident its priority and SLA clock, or moves them when its alerts changed it.
 *
 * The priority follows the alerts while the incident is open or acknowledged and stays as it was once
 * it resolved. When it changes, the due times are counted again from the incident's opening under the
 * new priority's policy: a P3 that turns out to be a P1 is due 4 hours after it began, not 4 hours
 * after someone noticed. A change after the opening is news (a Jira comment).
 */
export function prioritize(
  incident: Incident,
  rules: PriorityRules,
  now: string,
): { incident: Incident; effects: IncidentEffect[] } {
  if (incident.priority !== undefined && !isActive(incident.status)) return { incident, effects: [] };
  const priority = decidePriority(incident, rules);
  if (priority === incident.priority && incident.sla !== undefined) return { incident, effects: [] };
  const sla = startSlaClock(incident.firstSeenAt, priority, rules, {
    warnedAt: incident.sla?.warnedAt ?? null,
    breachedAt: incident.sla?.breachedAt ?? null,
  });
  const previous = incident.priority ?? null;
  if (previous === null || previous === priority)
    return { incident: { ...incident, priority, sla }, effects: [] };
  return {
    incident: {
      ...incident,
      priority,
      sla,
      news: tell(incident.news, { kind: 'priority-changed', at: now, priority, dueAt: sla.resolutionDueAt }),
    },
    effects: [{ type: 'priority-changed', incidentId: incident.id, priority, previous }],
  };
}

type Decided = Extract<BatchOutcome, { kind: 'decided' }>;

/**
 * The outcome of a delivery, with the priority of its incident decided. A change of priority or due
 * times is a change people care about: it gets a new revision if the delivery did not already make one.
 */
export function prioritizeOutcome(
  outcome: Decided,
  before: Incident | null,
  rules: PriorityRules,
  now: string,
): Decided {
  if (outcome.incident === null) return outcome;
  const r = prioritize(outcome.incident, rules, now);
  if (r.incident === outcome.incident) return outcome;
  const same = before !== null && before.id === r.incident.id && before.revision === r.incident.revision;
  return {
    ...outcome,
    incident: same ? { ...r.incident, revision: r.incident.revision + 1 } : r.incident,
    changed: true,
    effects: [...outcome.effects, ...r.effects],
  };
}

export type SlaMark = 'warning' | 'breach';

/** The mark the scheduled check should make now, if any: a breach once due, a warning at 75%. */
export function slaMarkDue(incident: Incident, now: string): SlaMark | null {
  const sla = incident.sla;
  if (!sla || !isActive(incident.status) || sla.breachedAt !== null) return null;
  const t = Date.parse(now);
  if (t >= Date.parse(sla.resolutionDueAt)) return 'breach';
  if (sla.warnedAt === null && t >= Date.parse(sla.warnAt)) return 'warning';
  // A warning is only worth telling before the breach: one found late is skipped for the breach.
  return null;
}

/**
 * Records a warning or a breach found at `at`. Each happens once: marking again, marking before the
 * time, or marking an incident no longer open changes nothing.
 */
export function markSla(incident: Incident, mark: SlaMark, at: string): CommandOutcome {
  if (slaMarkDue(incident, at) !== mark || !incident.sla) return { kind: 'unchanged', incident };
  const sla = incident.sla;
  const dueAt = sla.resolutionDueAt;
  const breach = mark === 'breach';
  return {
    kind: 'changed',
    incident: {
      ...incident,
      sla: breach ? { ...sla, breachedAt: at } : { ...sla, warnedAt: at },
      revision: incident.revision + 1,
      news: tell(incident.news, { kind: breach ? 'sla-breached' : 'sla-warning', at, dueAt }),
    },
    effects: [{ type: breach ? 'sla-breached' : 'sla-warning', incidentId: incident.id, dueAt }],
  };
}

export type SlaState = 'ok' | 'warning' | 'breached';

/** What the API shows of an incident's SLA, worked out at read time. */
export interface SlaView {
  readonly calendar: string;
  readonly responseDueAt: string;
  readonly resolutionDueAt: string;
  readonly warnAt: string;
  readonly state: SlaState;
  /**
   * Working time left until the resolution is due (negative: overdue by that much), on the calendar:
   * business time on a business calendar, clock time on 24x7. It stops when the incident resolves.
   */
  readonly remainingMs: number;
  readonly warnedAt: string | null;
  readonly breachedAt: string | null;
}

export function slaView(incident: Incident, now: string, rules: PriorityRules): SlaView | null {
  const sla = incident.sla;
  if (!sla) return null;
  const stoppedAt = isActive(incident.status) ? now : (incident.resolvedAt ?? incident.closedAt ?? now);
  const due = Date.parse(sla.resolutionDueAt);
  return {
    calendar: sla.calendar,
    responseDueAt: sla.responseDueAt,
    resolutionDueAt: sla.resolutionDueAt,
    warnAt: sla.warnAt,
    state: sla.breachedAt !== null ? 'breached' : sla.warnedAt !== null ? 'warning' : 'ok',
    remainingMs: workingTimeBetween(Date.parse(stoppedAt), due, calendarNamed(rules, sla.calendar)),
    warnedAt: sla.warnedAt,
    breachedAt: sla.breachedAt,
  };
}
