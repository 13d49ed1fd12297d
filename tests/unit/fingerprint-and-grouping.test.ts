import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/domain/duration.js';
import { labelsFingerprint } from '../../src/domain/fingerprint.js';
import { DEFAULT_GROUPING, groupAlert } from '../../src/domain/grouping.js';

const fixtureDir = join(import.meta.dirname, '..', 'fixtures', 'alertmanager');

describe('alert fingerprint', () => {
  it('computes the fingerprint Alertmanager gave every captured alert', () => {
    const files = ['01-firing-single', '04-firing-group-3', '08-pushed-single', '10-pushed-group-25-of-500'];
    let checked = 0;
    for (const f of files) {
      const body = JSON.parse(readFileSync(join(fixtureDir, `${f}.json`), 'utf8')) as {
        alerts: { labels: Record<string, string>; fingerprint: string }[];
      };
      for (const a of body.alerts) {
        expect(labelsFingerprint(a.labels)).toBe(a.fingerprint);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
  });
});

describe('grouping', () => {
  it('names an incident by the group_by labels, whatever the other labels', () => {
    const a = groupAlert(DEFAULT_GROUPING, 'alertmanager', { alertname: 'X', service: 'web', instance: '1' });
    const b = groupAlert(DEFAULT_GROUPING, 'alertmanager', { alertname: 'X', service: 'web', instance: '2' });
    expect(a.key).toBe('{alertname="X",service="web"}');
    expect(b.key).toBe(a.key);
    expect(groupAlert(DEFAULT_GROUPING, 'alertmanager', { alertname: 'X' }).key).toBe(
      '{alertname="X",service=""}',
    );
  });

  it('lets the first matching route decide', () => {
    const rules = {
      defaults: DEFAULT_GROUPING.defaults,
      routes: [
        {
          name: 'db',
          match: { team: 'db' },
          matchRe: { service: /^(?:pg-.*)$/ },
          policy: { ...DEFAULT_GROUPING.defaults, groupBy: ['team'] },
        },
      ],
    };
    expect(groupAlert(rules, 'zabbix', { team: 'db', service: 'pg-main' })).toMatchObject({
      route: 'db',
      key: '{team="db"}',
    });
    expect(groupAlert(rules, 'zabbix', { team: 'db', service: 'mysql' }).route).toBe('default');
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    ['250ms', 250],
    ['0', 0],
    ['1x', null],
    ['', null],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
