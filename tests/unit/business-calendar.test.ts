import { describe, expect, it } from 'vitest';
import {
  addWorkingTime,
  type Calendar,
  localDate,
  localDateTime,
  localInstant,
  offsetMs,
  TWENTY_FOUR_SEVEN,
  WEEKDAYS,
  type Weekday,
  type WorkingHours,
  workingTimeBetween,
} from '../../src/domain/business-calendar.js';

const H = 3_600_000;
const M = 60_000;
const hhmm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** A calendar from `mon-fri 09:00-18:00`-style lines. */
function calendar(
  timeZone: string,
  days: readonly Weekday[],
  ranges: readonly string[],
  holidays: readonly string[] = [],
): Calendar {
  const hours: WorkingHours[] = ranges.map((r) => ({ from: hhmm(r.slice(0, 5)), to: hhmm(r.slice(6, 11)) }));
  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, days.includes(d) ? hours : []])) as Record<
    Weekday,
    WorkingHours[]
  >;
  return { name: `${timeZone} ${ranges.join(',')}`, timeZone, weekly, holidays };
}

const WORKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const officeUtc = calendar('UTC', WORKDAYS, ['09:00-18:00']);
const officeBerlin = calendar('Europe/Berlin', WORKDAYS, ['09:00-18:00']);
const officeWithHoliday = calendar('UTC', WORKDAYS, ['09:00-18:00'], ['2026-11-23', '12-25']);
const lunchBreak = calendar('UTC', WORKDAYS, ['08:00-12:00', '13:00-17:00']);
const sundaysBerlin = calendar('Europe/Berlin', ['sun'], ['00:00-24:00']);
const sundayNightBerlin = calendar('Europe/Berlin', ['sun'], ['02:30-04:00']);

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

// 2026-11-20 is a Friday; 2026-03-29 and 2026-10-25 are the last Sundays of March and October, when
// Europe/Berlin moves from CET (+01:00) to CEST (+02:00) at 02:00 and back at 03:00.
describe('adding working time', () => {
  it.each([
    [
      'a P2 opened Friday 17:30 is due Monday 12:30',
      officeUtc,
      '2026-11-20T17:30:00Z',
      4 * H,
      '2026-11-23T12:30:00Z',
    ],
    [
      '24x7 counts the night and the weekend',
      TWENTY_FOUR_SEVEN,
      '2026-11-20T17:30:00Z',
      4 * H,
      '2026-11-20T21:30:00Z',
    ],
    [
      'opened on Saturday, the clock starts Monday 09:00',
      officeUtc,
      '2026-11-21T10:00:00Z',
      4 * H,
      '2026-11-23T13:00:00Z',
    ],
    [
      'opened before opening time, the clock starts at opening',
      officeUtc,
      '2026-11-23T06:00:00Z',
      H,
      '2026-11-23T10:00:00Z',
    ],
    [
      'a target ending at closing time ends then, not next morning',
      officeUtc,
      '2026-11-23T09:00:00Z',
      9 * H,
      '2026-11-23T18:00:00Z',
    ],
    [
      '18 business hours are two working days',
      officeUtc,
      '2026-11-23T09:00:00Z',
      18 * H,
      '2026-11-24T18:00:00Z',
    ],
    ['a dated holiday is skipped', officeWithHoliday, '2026-11-20T17:30:00Z', 4 * H, '2026-11-24T12:30:00Z'],
    [
      'a yearly holiday (12-25) is skipped, with the weekend after it',
      officeWithHoliday,
      '2026-12-24T16:00:00Z',
      4 * H,
      '2026-12-28T11:00:00Z',
    ],
    ['the lunch break does not count', lunchBreak, '2026-11-23T11:00:00Z', 2 * H, '2026-11-23T14:00:00Z'],
    ['zero time is the start itself', officeUtc, '2026-11-21T10:00:00Z', 0, '2026-11-21T10:00:00Z'],
    [
      'Berlin in winter: 17:30 CET Friday is due 12:30 CET Monday',
      officeBerlin,
      '2026-11-20T16:30:00Z',
      4 * H,
      '2026-11-23T11:30:00Z',
    ],
    [
      'across the March change: due 12:30 CEST, an hour less after UTC',
      officeBerlin,
      '2026-03-27T16:30:00Z',
      4 * H,
      '2026-03-30T10:30:00Z',
    ],
    [
      'across the October change: due 12:30 CET, an hour more after UTC',
      officeBerlin,
      '2026-10-23T15:30:00Z',
      4 * H,
      '2026-10-26T11:30:00Z',
    ],
    [
      'the hour skipped in March is not worked',
      sundaysBerlin,
      '2026-03-28T23:00:00Z',
      4 * H,
      '2026-03-29T03:00:00Z',
    ],
    [
      'the hour repeated in October is worked twice',
      sundaysBerlin,
      '2026-10-24T22:00:00Z',
      4 * H,
      '2026-10-25T02:00:00Z',
    ],
    [
      'working hours that start in the skipped hour start after it',
      sundayNightBerlin,
      '2026-03-29T00:00:00Z',
      20 * M,
      '2026-03-29T01:50:00Z',
    ],
    [
      '24x7 across the March change is plain clock time',
      TWENTY_FOUR_SEVEN,
      '2026-03-29T00:30:00Z',
      4 * H,
      '2026-03-29T04:30:00Z',
    ],
  ] as const)('%s', (_name, cal, start, duration, due) => {
    expect(iso(addWorkingTime(ms(start), duration, cal))).toBe(due);
  });

  it('refuses a calendar with no working time rather than looping', () => {
    const never = calendar('UTC', [], ['09:00-18:00']);
    expect(() => addWorkingTime(ms('2026-11-20T10:00:00Z'), H, never)).toThrow(/no working time/);
  });
});

describe('working time between two instants', () => {
  it.each([
    [
      'Friday 17:30 to Monday 12:30 on office hours',
      officeUtc,
      '2026-11-20T17:30:00Z',
      '2026-11-23T12:30:00Z',
      4 * H,
    ],
    ['a weekend holds no working time', officeUtc, '2026-11-21T00:00:00Z', '2026-11-23T00:00:00Z', 0],
    ['a whole working week', officeUtc, '2026-11-23T00:00:00Z', '2026-11-30T00:00:00Z', 45 * H],
    ['Berlin across the March change', officeBerlin, '2026-03-27T16:30:00Z', '2026-03-30T10:30:00Z', 4 * H],
    [
      'the Sunday clocks go forward has 23 hours',
      sundaysBerlin,
      '2026-03-28T00:00:00Z',
      '2026-03-30T00:00:00Z',
      23 * H,
    ],
    [
      'the Sunday clocks go back has 25 hours',
      sundaysBerlin,
      '2026-10-24T00:00:00Z',
      '2026-10-26T00:00:00Z',
      25 * H,
    ],
    ['backwards is negative', officeUtc, '2026-11-23T12:30:00Z', '2026-11-20T17:30:00Z', -4 * H],
    [
      '24x7 is the clock difference',
      TWENTY_FOUR_SEVEN,
      '2026-11-20T17:30:00Z',
      '2026-11-23T12:30:00Z',
      67 * H,
    ],
  ] as const)('%s', (_name, cal, from, to, expected) => {
    expect(workingTimeBetween(ms(from), ms(to), cal)).toBe(expected);
  });

  it('adds up to what was added, whatever the start', () => {
    for (let start = ms('2026-03-26T00:00:00Z'); start < ms('2026-04-02T00:00:00Z'); start += 97 * M) {
      const due = addWorkingTime(start, 7 * H, officeBerlin);
      expect(workingTimeBetween(start, due, officeBerlin)).toBe(7 * H);
    }
  });
});

describe('time zones without a time zone library', () => {
  it.each([
    ['Berlin in winter', 'Europe/Berlin', '2026-01-15T12:00:00Z', 1 * H],
    ['Berlin in summer', 'Europe/Berlin', '2026-07-15T12:00:00Z', 2 * H],
    ['Berlin just before clocks go forward', 'Europe/Berlin', '2026-03-29T00:59:59Z', 1 * H],
    ['Berlin as clocks go forward', 'Europe/Berlin', '2026-03-29T01:00:00Z', 2 * H],
    ['New York in summer', 'America/New_York', '2026-07-15T12:00:00Z', -4 * H],
    ['Kolkata, half an hour off', 'Asia/Kolkata', '2026-07-15T12:00:00Z', 5.5 * H],
    ['UTC', 'UTC', '2026-07-15T12:00:00Z', 0],
  ] as const)('offset: %s', (_name, zone, at, offset) => {
    expect(offsetMs(ms(at), zone)).toBe(offset);
  });

  const day = (date: string): number => ms(`${date}T00:00:00Z`) / 86_400_000;
  it.each([
    ['an ordinary time', '2026-11-20', '09:00', '2026-11-20T08:00:00Z'],
    ['a time in the skipped hour moves forward by the gap', '2026-03-29', '02:30', '2026-03-29T01:30:00Z'],
    ['a time in the repeated hour takes the earlier', '2026-10-25', '02:30', '2026-10-25T00:30:00Z'],
    ['midnight at the end of the day is the next midnight', '2026-10-25', '24:00', '2026-10-25T23:00:00Z'],
  ] as const)('local time in Berlin: %s', (_name, date, time, expected) => {
    expect(iso(localInstant(day(date), hhmm(time), 'Europe/Berlin'))).toBe(expected);
  });

  it('shows dates and times in the calendar’s zone', () => {
    expect(localDate(ms('2026-11-23T23:30:00Z'), 'Europe/Berlin')).toBe('2026-11-24');
    expect(localDate(ms('2026-11-23T23:30:00Z'), 'UTC')).toBe('2026-11-23');
    expect(localDateTime(ms('2026-03-30T10:30:00Z'), 'Europe/Berlin')).toBe('2026-03-30 12:30');
  });
});
