import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/adapters/rules/rules-loader.js';
import { DEFAULT_PRIORITY_RULES } from '../../src/domain/priority.js';

const rulesDir = (priorityYml: string | null): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ib-priority-'));
  if (priorityYml !== null) writeFileSync(join(dir, 'priority.yml'), priorityYml);
  return dir;
};

describe('priority rules', () => {
  it('ships a priority.yml that says exactly what the built-in defaults say', () => {
    const shipped = loadRules(join(import.meta.dirname, '..', '..', 'rules')).priority;
    expect(shipped).toEqual(DEFAULT_PRIORITY_RULES);
    expect(loadRules(rulesDir(null)).priority).toEqual(DEFAULT_PRIORITY_RULES);
  });

  it('defaults to P1 in 4 clock hours and P2 in 4 business hours, Monday to Friday 09:00 to 18:00', () => {
    const { sla, calendars } = DEFAULT_PRIORITY_RULES;
    expect(sla.P1).toMatchObject({ resolutionMs: 4 * 3_600_000, resolutionCalendar: '24x7' });
    expect(sla.P2).toMatchObject({ resolutionMs: 4 * 3_600_000, resolutionCalendar: 'business' });
    expect(calendars.business?.weekly?.mon).toEqual([{ from: 540, to: 1080 }]);
    expect(calendars.business?.weekly?.sat).toEqual([]);
  });

  it('gives the Jira priority names to the tracker rules', () => {
    const rules = loadRules(rulesDir('jira_priorities: {P1: Blocker}\n'));
    expect(rules.tracker.priorityNames).toEqual({ P1: 'Blocker', P2: 'High', P3: 'Medium', P4: 'Low' });
  });

  it('reads business calendars with a time zone, several ranges a day and holidays', () => {
    const rules = loadRules(
      rulesDir(
        [
          'sla:',
          '  P2: {response: 30m, resolution: 8h, calendar: berlin, response_calendar: 24x7}',
          'calendars:',
          '  berlin:',
          '    time_zone: Europe/Berlin',
          '    weekly: {mon: ["08:00-12:00", "13:00-17:00"], sat: ["10:00-24:00"]}',
          '    holidays: ["12-25", "2026-04-03"]',
        ].join('\n'),
      ),
    ).priority;
    expect(rules.sla.P2).toEqual({
      responseMs: 1_800_000,
      responseCalendar: '24x7',
      resolutionMs: 8 * 3_600_000,
      resolutionCalendar: 'berlin',
    });
    expect(rules.calendars.berlin).toMatchObject({
      timeZone: 'Europe/Berlin',
      holidays: ['12-25', '2026-04-03'],
    });
    expect(rules.calendars.berlin?.weekly?.mon).toEqual([
      { from: 480, to: 720 },
      { from: 780, to: 1020 },
    ]);
    expect(rules.calendars.berlin?.weekly?.sat).toEqual([{ from: 600, to: 1440 }]);
    expect(rules.sla.P1).toEqual(DEFAULT_PRIORITY_RULES.sla.P1);
  });

  it.each([
    [
      'an unknown key',
      'sla:\n  P1: {response: 1h, resolution: 4h, within: 2h}\n',
      /priority\.yml: sla\.P1: Unrecognized key/,
    ],
    [
      'an unknown priority',
      'sla:\n  P5: {response: 1h, resolution: 4h}\n',
      /priority\.yml: sla: Unrecognized key: "P5"/,
    ],
    [
      'a bad duration',
      'sla:\n  P1: {response: soon, resolution: 4h}\n',
      /priority\.yml: sla\.P1\.response: expected a duration/,
    ],
    [
      'an unknown calendar',
      'sla:\n  P1: {response: 1h, resolution: 4h, calendar: office}\n',
      /sla\.P1\.calendar: unknown calendar office/,
    ],
    [
      'an unknown time zone',
      'calendars:\n  x: {time_zone: Mars/Olympus}\n',
      /calendars\.x\.time_zone: expected an IANA time zone/,
    ],
    [
      'bad hours',
      'calendars:\n  x: {time_zone: UTC, weekly: {mon: ["9-18"]}}\n',
      /calendars\.x\.weekly\.mon\.0: expected HH:MM-HH:MM/,
    ],
    [
      'hours ending before they start',
      'calendars:\n  x: {time_zone: UTC, weekly: {mon: ["18:00-09:00"]}}\n',
      /calendars\.x\.weekly\.mon\.0: the end must be after the start/,
    ],
    [
      'overlapping hours',
      'calendars:\n  x: {time_zone: UTC, weekly: {mon: ["09:00-12:00", "11:00-13:00"]}}\n',
      /calendars\.x\.weekly\.mon: working hours of one day overlap/,
    ],
    [
      'a calendar without hours',
      'calendars:\n  x: {time_zone: UTC, weekly: {mon: []}}\n',
      /calendars\.x\.weekly: a calendar needs some working hours/,
    ],
    [
      'a bad holiday',
      'calendars:\n  x: {time_zone: UTC, weekly: {mon: ["09:00-17:00"]}, holidays: ["2026-02-30"]}\n',
      /calendars\.x\.holidays\.0: not a date/,
    ],
    [
      'a matrix row missing',
      'matrix:\n  high: {high: P1, medium: P2, low: P3}\n',
      /priority\.yml: matrix\.medium/,
    ],
    ['a bad level', 'impact:\n  rules: [{name: x, match: {a: b}, level: huge}]\n', /impact\.rules\.0\.level/],
    [
      'a Zabbix severity out of range',
      'urgency:\n  rules: [{name: x, severity: [7], level: high}]\n',
      /urgency\.rules\.0\.severity\.0/,
    ],
  ])('rejects %s, naming the file and the path', (_name, yml, message) => {
    expect(() => loadRules(rulesDir(yml))).toThrow(message);
  });
});
