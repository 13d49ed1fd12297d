import { z } from 'zod';
import {
  type Calendar,
  isTimeZone,
  TWENTY_FOUR_SEVEN,
  WEEKDAYS,
  type Weekday,
  type WorkingHours,
} from '../../domain/business-calendar.js';
import { parseDuration } from '../../domain/duration.js';
import { PRIORITIES, type Priority, SEVERITIES, type Severity } from '../../domain/model.js';
import {
  DEFAULT_PRIORITY_RULES,
  LEVELS,
  type LevelRule,
  type LevelRules,
  type PriorityRules,
  type SlaPolicy,
} from '../../domain/priority.js';
import { zabbixSeverity } from '../../domain/severity.js';
import { compileRe, matcherFields } from './rule-fields.js';

/** `rules/priority.yml`: impact and urgency, the priority matrix, Jira priorities, SLAs and calendars. */

const positiveDuration = z
  .string()
  .refine((s) => (parseDuration(s) ?? 0) > 0, 'expected a duration such as 30m, 4h or 2d');
const level = z.enum(LEVELS);

/** A severity name, or Zabbix's number (0 not classified ... 5 disaster). */
const severity = z
  .union([z.enum(SEVERITIES), z.number().int().min(0).max(5)])
  .transform((s): Severity => (typeof s === 'number' ? zabbixSeverity(s) : s));

const levelRulesSchema = z.strictObject({
  by_severity: z.partialRecord(z.enum(SEVERITIES), level).optional(),
  rules: z
    .array(
      z.strictObject({
        ...matcherFields,
        severity: z.array(severity).min(1).optional(),
        level,
      }),
    )
    .optional(),
});

const HOURS = /^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const hoursRange = z
  .string()
  .regex(HOURS, 'expected HH:MM-HH:MM, such as 09:00-18:00')
  .transform((s): WorkingHours => ({ from: minutesOf(s.slice(0, 5)), to: minutesOf(s.slice(6, 11)) }))
  .refine((h) => h.from < h.to, 'the end must be after the start');

const dayHours = z.array(hoursRange).superRefine((list, ctx) => {
  const sorted = [...list].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) {
    if ((sorted[i]?.from ?? 0) < (sorted[i - 1]?.to ?? 0)) {
      ctx.addIssue({ code: 'custom', message: 'working hours of one day overlap' });
    }
  }
});

const holiday = z
  .string()
  .regex(/^(\d{4}-)?\d{2}-\d{2}$/, 'expected YYYY-MM-DD, or MM-DD for every year')
  .refine((s) => {
    const full = s.length === 5 ? `2000-${s}` : s;
    const d = new Date(`${full}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(full);
  }, 'not a date');

const calendarSchema = z
  .strictObject({
    time_zone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin or UTC'),
    weekly: z.partialRecord(z.enum(WEEKDAYS), dayHours).optional(),
    holidays: z.array(holiday).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.weekly === undefined && c.holidays !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['holidays'], message: 'holidays need weekly hours' });
    }
    if (c.weekly !== undefined && Object.values(c.weekly).every((d) => d.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['weekly'], message: 'a calendar needs some working hours' });
    }
  });

const slaSchema = z.strictObject({
  response: positiveDuration,
  resolution: positiveDuration,
  /** The calendar both targets count on. */
  calendar: z.string().min(1).optional(),
  /** Another calendar for the response target. */
  response_calendar: z.string().min(1).optional(),
});

const row = z.strictObject({ high: z.enum(PRIORITIES), medium: z.enum(PRIORITIES), low: z.enum(PRIORITIES) });

export const priorityFileSchema = z
  .strictObject({
    impact: levelRulesSchema.optional(),
    urgency: levelRulesSchema.optional(),
    matrix: z.strictObject({ high: row, medium: row, low: row }).optional(),
    jira_priorities: z.partialRecord(z.enum(PRIORITIES), z.string().min(1)).optional(),
    sla: z.partialRecord(z.enum(PRIORITIES), slaSchema).optional(),
    calendars: z.record(z.string().regex(/^[\w.-]+$/, 'expected a name'), calendarSchema).optional(),
  })
  .superRefine((f, ctx) => {
    const known = new Set([
      ...Object.keys(DEFAULT_PRIORITY_RULES.calendars),
      ...Object.keys(f.calendars ?? {}),
    ]);
    for (const [p, policy] of Object.entries(f.sla ?? {})) {
      for (const key of ['calendar', 'response_calendar'] as const) {
        const name = policy[key];
        if (name !== undefined && !known.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['sla', p, key],
            message: `unknown calendar ${name} (known: ${[...known].join(', ')})`,
          });
        }
      }
    }
    if (f.calendars?.['24x7']?.weekly !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['calendars', '24x7', 'weekly'],
        message: '24x7 has no weekly hours',
      });
    }
  });

export type PriorityFile = z.infer<typeof priorityFileSchema>;

function toLevelRules(file: z.infer<typeof levelRulesSchema> | undefined, base: LevelRules): LevelRules {
  return {
    bySeverity: { ...base.bySeverity, ...file?.by_severity },
    rules: (file?.rules ?? []).map(
      (r): LevelRule => ({
        name: r.name,
        source: r.source,
        match: r.match ?? {},
        matchRe: compileRe(r.match_re),
        severities: r.severity,
        level: r.level,
      }),
    ),
  };
}

function toCalendar(name: string, c: z.infer<typeof calendarSchema>): Calendar {
  const weekly = c.weekly;
  return {
    name,
    timeZone: c.time_zone,
    weekly:
      weekly === undefined
        ? null
        : (Object.fromEntries(WEEKDAYS.map((d) => [d, weekly[d] ?? []])) as Record<Weekday, WorkingHours[]>),
    holidays: c.holidays ?? [],
  };
}

/** The rules a parsed `priority.yml` gives; what it leaves out keeps the defaults. */
export function toPriorityRules(f: PriorityFile): PriorityRules {
  const base = DEFAULT_PRIORITY_RULES;
  const sla = Object.fromEntries(
    PRIORITIES.map((p): [Priority, SlaPolicy] => {
      const s = f.sla?.[p];
      if (!s) return [p, base.sla[p]];
      const calendar = s.calendar ?? '24x7';
      return [
        p,
        {
          responseMs: parseDuration(s.response) ?? 0,
          responseCalendar: s.response_calendar ?? calendar,
          resolutionMs: parseDuration(s.resolution) ?? 0,
          resolutionCalendar: calendar,
        },
      ];
    }),
  ) as Record<Priority, SlaPolicy>;
  const calendars: Record<string, Calendar> = { ...base.calendars };
  for (const [name, c] of Object.entries(f.calendars ?? {})) calendars[name] = toCalendar(name, c);
  calendars['24x7'] ??= TWENTY_FOUR_SEVEN;
  return {
    impact: toLevelRules(f.impact, base.impact),
    urgency: toLevelRules(f.urgency, base.urgency),
    matrix: f.matrix ?? base.matrix,
    jiraPriorities: { ...base.jiraPriorities, ...f.jira_priorities },
    sla,
    calendars,
  };
}
