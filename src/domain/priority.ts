import {
  type Calendar,
  TWENTY_FOUR_SEVEN,
  WEEKDAYS,
  type Weekday,
  type WorkingHours,
} from './business-calendar.js';
import { type Matcher, routeMatches } from './grouping.js';
import { type AlertState, type Incident, PRIORITIES, type Priority, type Severity } from './model.js';

/** How wide (impact) or how pressing (urgency) an alert is. */
export const LEVELS = ['high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];

/** Gives a level to the alerts it matches: labels (Zabbix tags are labels), source and severity. */
export interface LevelRule extends Matcher {
  readonly name: string;
  /** When set, the alert's severity must be one of these. */
  readonly severities?: readonly Severity[] | undefined;
  readonly level: Level;
}

export interface LevelRules {
  /** First match wins. */
  readonly rules: readonly LevelRule[];
  /** The level of an alert no rule matches. */
  readonly bySeverity: Readonly<Record<Severity, Level>>;
}

/** The service-level promise for one priority. Durations count working time on their calendar. */
export interface SlaPolicy {
  /** To acknowledge within. */
  readonly responseMs: number;
  readonly responseCalendar: string;
  /** To resolve within. */
  readonly resolutionMs: number;
  readonly resolutionCalendar: string;
}

export interface PriorityRules {
  readonly impact: LevelRules;
  readonly urgency: LevelRules;
  /** `matrix[impact][urgency]`. */
  readonly matrix: Readonly<Record<Level, Readonly<Record<Level, Priority>>>>;
  /** Jira priority names per priority. */
  readonly jiraPriorities: Readonly<Partial<Record<Priority, string>>>;
  readonly sla: Readonly<Record<Priority, SlaPolicy>>;
  /** By name; `24x7` is always there. */
  readonly calendars: Readonly<Record<string, Calendar>>;
}

const HOUR = 3_600_000;

const weekdays = (hours: readonly WorkingHours[]): Record<Weekday, readonly WorkingHours[]> =>
  Object.fromEntries(WEEKDAYS.map((d) => [d, d === 'sat' || d === 'sun' ? [] : hours])) as Record<
    Weekday,
    readonly WorkingHours[]
  >;

/** Monday to Friday, 09:00 to 18:00 UTC. */
export const DEFAULT_BUSINESS_CALENDAR: Calendar = {
  name: 'business',
  timeZone: 'UTC',
  weekly: weekdays([{ from: 9 * 60, to: 18 * 60 }]),
  holidays: [],
};

/**
 * The defaults, also written out in `rules/priority.yml`: severity alone decides, so critical is P1
 * (resolved within 4 clock hours, day or night) and high is P2 (within 4 business hours).
 */
export const DEFAULT_PRIORITY_RULES: PriorityRules = {
  impact: {
    rules: [],
    bySeverity: {
      critical: 'high',
      high: 'medium',
      average: 'medium',
      warning: 'low',
      info: 'low',
      unknown: 'low',
    },
  },
  urgency: {
    rules: [],
    bySeverity: {
      critical: 'high',
      high: 'high',
      average: 'medium',
      warning: 'low',
      info: 'low',
      unknown: 'low',
    },
  },
  matrix: {
    high: { high: 'P1', medium: 'P2', low: 'P3' },
    medium: { high: 'P2', medium: 'P3', low: 'P4' },
    low: { high: 'P3', medium: 'P4', low: 'P4' },
  },
  jiraPriorities: { P1: 'Highest', P2: 'High', P3: 'Medium', P4: 'Low' },
  sla: {
    P1: {
      responseMs: HOUR / 4,
      responseCalendar: '24x7',
      resolutionMs: 4 * HOUR,
      resolutionCalendar: '24x7',
    },
    P2: {
      responseMs: HOUR,
      responseCalendar: 'business',
      resolutionMs: 4 * HOUR,
      resolutionCalendar: 'business',
    },
    P3: {
      responseMs: 4 * HOUR,
      responseCalendar: 'business',
      resolutionMs: 18 * HOUR,
      resolutionCalendar: 'business',
    },
    P4: {
      responseMs: 9 * HOUR,
      responseCalendar: 'business',
      resolutionMs: 45 * HOUR,
      resolutionCalendar: 'business',
    },
  },
  calendars: { '24x7': TWENTY_FOUR_SEVEN, business: DEFAULT_BUSINESS_CALENDAR },
};

function levelOf(rules: LevelRules, alert: AlertState): Level {
  const rule = rules.rules.find(
    (r) =>
      routeMatches(r, alert.source, alert.labels) &&
      (r.severities === undefined || r.severities.includes(alert.severity)),
  );
  return rule?.level ?? rules.bySeverity[alert.severity];
}

/** One alert's priority: impact × urgency through the matrix. */
export function alertPriority(alert: AlertState, rules: PriorityRules): Priority {
  return rules.matrix[levelOf(rules.impact, alert)][levelOf(rules.urgency, alert)];
}

/**
 * The incident's priority is that of its most pressing alert, among those firing (all of them once
 * none fires), the same alerts its severity is taken from.
 */
export function decidePriority(incident: Pick<Incident, 'alerts'>, rules: PriorityRules): Priority {
  const firing = incident.alerts.filter((a) => a.status === 'firing');
  let best: Priority = 'P4';
  for (const a of firing.length > 0 ? firing : incident.alerts) {
    const p = alertPriority(a, rules);
    if (PRIORITIES.indexOf(p) < PRIORITIES.indexOf(best)) best = p;
  }
  return best;
}

/** The calendar of that name, or 24x7 when the rules no longer have it. */
export function calendarNamed(rules: PriorityRules, name: string): Calendar {
  return rules.calendars[name] ?? TWENTY_FOUR_SEVEN;
}
