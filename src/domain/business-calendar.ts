/**
 * Working time on calendars: `24x7` (every instant counts) or business hours in an IANA time zone
 * (weekly hours and holidays, both in local time). Instants are epoch milliseconds. Pure: the time
 * zone rules come from `Intl.DateTimeFormat`, a JavaScript built-in; nothing here reads the clock.
 *
 * Local times that do not exist (the hour skipped when daylight saving starts) move forward by the
 * length of the gap; local times that happen twice (the hour repeated when it ends) take the earlier
 * instant. This is what `Temporal`'s `compatible` disambiguation does.
 */

/** In the order of `Date.prototype.getUTCDay`. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Working hours of one day, in minutes after local midnight: `from` < `to` ≤ 1440. */
export interface WorkingHours {
  readonly from: number;
  readonly to: number;
}

export interface Calendar {
  readonly name: string;
  /** IANA time zone of the weekly hours, the holidays and the dates shown to people. */
  readonly timeZone: string;
  /** Working hours per weekday; null: every instant is working time (24x7). */
  readonly weekly: Readonly<Record<Weekday, readonly WorkingHours[]>> | null;
  /** Local dates without working time: `YYYY-MM-DD` once, `MM-DD` every year. */
  readonly holidays: readonly string[];
}

export const TWENTY_FOUR_SEVEN: Calendar = { name: '24x7', timeZone: 'UTC', weekly: null, holidays: [] };

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A calendar with no working time in ten years is a configuration mistake, not a reason to loop forever. */
const MAX_DAYS = 3_660;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `Intl` knows the time zone (`Europe/Berlin`, `UTC` ...). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** What a clock on the wall in `timeZone` shows at `instant` (to the second). */
export function wallClock(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far local time in `timeZone` is ahead of UTC at `instant` (Berlin in summer: +2 h). */
export function offsetMs(instant: number, timeZone: string): number {
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  const w = wallClock(whole, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

/** Local dates as day numbers (days since 1970-01-01), so that date arithmetic is integer arithmetic. */
function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY;
}

function civilDate(day: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(day * DAY);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
  };
}

/** The day number of the local date at `instant`. */
function localDay(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return dayNumber(w.year, w.month, w.day);
}

/** The instant at which the local clock shows `minutes` after midnight of local day `day`. */
export function localInstant(day: number, minutes: number, timeZone: string): number {
  const wall = day * DAY + minutes * MINUTE;
  const before = offsetMs(wall - DAY, timeZone);
  const after = offsetMs(wall + DAY, timeZone);
  const fits = [wall - before, wall - after].filter((t) => t + offsetMs(t, timeZone) === wall);
  // Twice (clocks went back): the earlier. Never (clocks went forward): forward by the gap.
  return fits.length > 0 ? Math.min(...fits) : wall - before;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of `instant` in `timeZone`: what a date-only field such as Jira's due date shows. */
export function localDate(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** `YYYY-MM-DD HH:MM` of `instant` in `timeZone`, for people. */
export function localDateTime(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}

function isHoliday(calendar: Calendar, day: number): boolean {
  if (calendar.holidays.length === 0) return false;
  const c = civilDate(day);
  const monthDay = `${pad(c.month)}-${pad(c.day)}`;
  return calendar.holidays.some((h) => h === `${pad(c.year, 4)}-${monthDay}` || h === monthDay);
}

type Window = readonly [start: number, end: number];

/**
 * Windows already worked out, per calendar and local day: a day always has the same windows, and
 * asking `Intl` is the slow part. Bounded; it only saves work, results are the same without it.
 */
const windowCache = new WeakMap<Calendar, Map<number, readonly Window[]>>();
const WINDOW_CACHE_DAYS = 20_000;

/** The working windows of local day `day`, as instants `[start, end)`. */
function windowsOn(
  calendar: Calendar,
  weekly: NonNullable<Calendar['weekly']>,
  day: number,
): readonly Window[] {
  let byDay = windowCache.get(calendar);
  if (!byDay) {
    byDay = new Map();
    windowCache.set(calendar, byDay);
  }
  const known = byDay.get(day);
  if (known) return known;
  const out: Window[] = [];
  if (!isHoliday(calendar, day)) {
    for (const h of weekly[WEEKDAYS[civilDate(day).weekday] ?? 'sun']) {
      const start = localInstant(day, h.from, calendar.timeZone);
      const end = localInstant(day, h.to, calendar.timeZone);
      if (end > start) out.push([start, end]);
    }
  }
  if (byDay.size >= WINDOW_CACHE_DAYS) byDay.clear();
  byDay.set(day, out);
  return out;
}

/**
 * The instant at which `durationMs` of working time has passed since `start`. On a business calendar
 * only time inside working hours counts (an hour in which clocks go forward is not worked, an hour they
 * repeat is worked twice), and a duration that ends exactly at closing time ends then, not at the next
 * opening.
 */
export function addWorkingTime(start: number, durationMs: number, calendar: Calendar): number {
  const weekly = calendar.weekly;
  if (weekly === null || durationMs <= 0) return start + Math.max(0, durationMs);
  let left = durationMs;
  const first = localDay(start, calendar.timeZone);
  for (let day = first; day < first + MAX_DAYS; day++) {
    for (const [windowStart, windowEnd] of windowsOn(calendar, weekly, day)) {
      const from = Math.max(windowStart, start);
      if (from >= windowEnd) continue;
      if (windowEnd - from >= left) return from + left;
      left -= windowEnd - from;
    }
  }
  throw new Error(`calendar ${calendar.name} has no working time`);
}

/** Working time between two instants; negative when `to` is before `from`. */
export function workingTimeBetween(from: number, to: number, calendar: Calendar): number {
  if (to < from) return -workingTimeBetween(to, from, calendar);
  const weekly = calendar.weekly;
  if (weekly === null) return to - from;
  let total = 0;
  const last = localDay(to, calendar.timeZone);
  for (let day = localDay(from, calendar.timeZone); day <= last; day++) {
    for (const [windowStart, windowEnd] of windowsOn(calendar, weekly, day)) {
      const a = Math.max(windowStart, from);
      const b = Math.min(windowEnd, to);
      if (b > a) total += b - a;
    }
  }
  return total;
}
