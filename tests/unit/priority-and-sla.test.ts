import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/adapters/rules/rules-loader.js';
import { DEFAULT_POLICY } from '../../src/domain/grouping.js';
import { decideAlerts } from '../../src/domain/incident-decisions.js';
import { planFieldUpdate } from '../../src/domain/issue-fields.js';
import type { AlertEvent, Incident, Severity, Source } from '../../src/domain/model.js';
import { notificationFor } from '../../src/domain/notification.js';
import { DEFAULT_PRIORITY_RULES, decidePriority, type PriorityRules } from '../../src/domain/priority.js';
import { markSla, prioritizeOutcome, slaMarkDue, slaView } from '../../src/domain/sla-clock.js';
import { planIssue, type TrackerRules } from '../../src/domain/tracker-plan.js';

const H = 3_600_000;
const rules = DEFAULT_PRIORITY_RULES;

function alert(
  id: string,
  severity: Severity,
  labels: Record<string, string> = {},
  source: Source = 'alertmanager',
  status: 'firing' | 'resolved' = 'firing',
): AlertEvent {
  return {
    id,
    source,
    status,
    labels: { alertname: 'DiskFull', service: 'storage', ...labels },
    annotations: {},
    startsAt: '2026-11-20T17:00:00Z',
    endsAt: status === 'resolved' ? '2026-11-20T18:00:00Z' : null,
    url: null,
    title: 'Disk full',
    severity,
  };
}

/** Runs deliveries through the decisions and the priority, as ingestion does. */
function deliver(
  current: Incident | null,
  events: AlertEvent[],
  now: string,
  r: PriorityRules = rules,
): { incident: Incident; effects: string[] } {
  const ctx = { now, key: 'k', policy: DEFAULT_POLICY, newIncidentId: 'INC-1' };
  const out = decideAlerts(current, events, ctx);
  if (out.kind !== 'decided' || !out.incident) throw new Error('no incident');
  const done = prioritizeOutcome(out, current, r, now);
  if (!done.incident) throw new Error('no incident');
  return { incident: done.incident, effects: done.effects.map((e) => e.type) };
}

describe('priority from impact and urgency', () => {
  const withRules = loadRules(join(import.meta.dirname, '..', 'fixtures', 'priority-rules')).priority;
  it.each([
    ['critical is P1', [alert('a', 'critical')], rules, 'P1'],
    ['high is P2', [alert('a', 'high')], rules, 'P2'],
    ['average is P3', [alert('a', 'average')], rules, 'P3'],
    ['warning is P4', [alert('a', 'warning')], rules, 'P4'],
    ['a Zabbix disaster (5) is P1', [alert('z', 'critical', {}, 'zabbix')], rules, 'P1'],
    ['the most pressing firing alert decides', [alert('a', 'warning'), alert('b', 'high')], rules, 'P2'],
    [
      'a resolved alert no longer decides while others fire',
      [alert('a', 'critical', {}, 'alertmanager', 'resolved'), alert('b', 'average')],
      rules,
      'P3',
    ],
    [
      'a label rule raises the impact: checkout warning is P3',
      [alert('a', 'warning', { service: 'checkout' })],
      withRules,
      'P3',
    ],
    [
      'a label rule raises the impact: checkout average is P2',
      [alert('a', 'average', { service: 'checkout' })],
      withRules,
      'P2',
    ],
    [
      'a Zabbix severity number in a rule: 4 from Zabbix is P1',
      [alert('z', 'high', {}, 'zabbix')],
      withRules,
      'P1',
    ],
    ['the same severity from Alertmanager stays P2', [alert('a', 'high')], withRules, 'P2'],
    [
      'a test environment is low impact whatever the severity',
      [alert('a', 'critical', { env: 'test' })],
      withRules,
      'P3',
    ],
  ] as const)('%s', (_name, alerts, r, expected) => {
    const states = alerts.map((a) => ({ ...a, endsAt: a.endsAt }));
    expect(decidePriority({ alerts: states }, r)).toBe(expected);
  });
});

describe('the SLA clock', () => {
  it('gives a critical incident P1 and due times 15 minutes and 4 clock hours after it opened', () => {
    const { incident } = deliver(null, [alert('a', 'critical')], '2026-11-20T17:30:00Z');
    expect(incident.priority).toBe('P1');
    expect(incident.sla).toEqual({
      calendar: '24x7',
      timeZone: 'UTC',
      responseDueAt: '2026-11-20T17:45:00.000Z',
      warnAt: '2026-11-20T20:30:00.000Z',
      resolutionDueAt: '2026-11-20T21:30:00.000Z',
      warnedAt: null,
      breachedAt: null,
    });
  });

  it('gives a high incident opened Friday 17:30 a Monday 12:30 due time on business hours', () => {
    const { incident } = deliver(null, [alert('a', 'high')], '2026-11-20T17:30:00Z');
    expect(incident.priority).toBe('P2');
    expect(incident.sla?.resolutionDueAt).toBe('2026-11-23T12:30:00.000Z');
    // 75% of 4 business hours: half an hour on Friday, two and a half on Monday.
    expect(incident.sla?.warnAt).toBe('2026-11-23T11:30:00.000Z');
    expect(incident.sla?.responseDueAt).toBe('2026-11-23T09:30:00.000Z');
  });

  it('moves the due times when an alert’s severity rises, counted from the opening, and tells it', () => {
    const first = deliver(null, [alert('a', 'high')], '2026-11-20T17:30:00Z').incident;
    const { incident, effects } = deliver(first, [alert('a', 'critical')], '2026-11-20T17:40:00Z');
    expect(incident.priority).toBe('P1');
    expect(incident.sla?.resolutionDueAt).toBe('2026-11-20T21:30:00.000Z');
    expect(effects).toEqual(['priority-changed']);
    expect(incident.news.at(-1)).toMatchObject({
      kind: 'priority-changed',
      priority: 'P1',
      dueAt: '2026-11-20T21:30:00.000Z',
    });
    expect(incident.revision).toBe(first.revision + 1);
  });

  it('keeps the priority of a resolved incident', () => {
    const first = deliver(null, [alert('a', 'critical')], '2026-11-20T17:30:00Z').incident;
    const resolved = deliver(
      first,
      [{ ...alert('a', 'warning', {}, 'alertmanager', 'resolved') }],
      '2026-11-20T18:00:00Z',
    ).incident;
    expect(resolved.status).toBe('resolved');
    expect(resolved.priority).toBe('P1');
  });

  const p1 = deliver(null, [alert('a', 'critical')], '2026-11-20T17:30:00Z').incident;
  it.each([
    ['nothing before 75%', '2026-11-20T20:29:59.000Z', null],
    ['a warning at 75%', '2026-11-20T20:30:00.000Z', 'warning'],
    ['a breach at 100%', '2026-11-20T21:30:00.000Z', 'breach'],
  ] as const)('the check finds %s', (_name, now, mark) => {
    expect(slaMarkDue(p1, now)).toBe(mark);
  });

  it('marks the warning and the breach once each, with news for the issue', () => {
    const warned = markSla(p1, 'warning', '2026-11-20T20:31:00.000Z');
    if (warned.kind !== 'changed') throw new Error('not warned');
    expect(warned.effects).toEqual([
      { type: 'sla-warning', incidentId: 'INC-1', dueAt: '2026-11-20T21:30:00.000Z' },
    ]);
    expect(markSla(warned.incident, 'warning', '2026-11-20T20:35:00.000Z').kind).toBe('unchanged');
    expect(markSla(warned.incident, 'breach', '2026-11-20T21:00:00.000Z').kind).toBe('unchanged');
    const breached = markSla(warned.incident, 'breach', '2026-11-20T21:31:00.000Z');
    if (breached.kind !== 'changed') throw new Error('not breached');
    expect(breached.incident.sla).toMatchObject({
      warnedAt: '2026-11-20T20:31:00.000Z',
      breachedAt: '2026-11-20T21:31:00.000Z',
    });
    expect(breached.incident.news.map((n) => n.kind).slice(-2)).toEqual(['sla-warning', 'sla-breached']);
    expect(markSla(breached.incident, 'breach', '2026-11-20T22:00:00.000Z').kind).toBe('unchanged');
    expect(slaMarkDue(breached.incident, '2026-11-21T00:00:00.000Z')).toBeNull();
  });

  it('skips a warning found only after the due time: the breach is the news', () => {
    expect(slaMarkDue(p1, '2026-11-20T23:00:00.000Z')).toBe('breach');
    expect(markSla(p1, 'warning', '2026-11-20T23:00:00.000Z').kind).toBe('unchanged');
  });

  it('marks nothing on a resolved incident', () => {
    const resolved: Incident = { ...p1, status: 'resolved', resolvedAt: '2026-11-20T19:00:00.000Z' };
    expect(slaMarkDue(resolved, '2026-11-20T23:00:00.000Z')).toBeNull();
    expect(markSla(resolved, 'breach', '2026-11-20T23:00:00.000Z').kind).toBe('unchanged');
  });

  it('shows the working time left at read time, stopped once resolved', () => {
    const p2 = deliver(null, [alert('a', 'high')], '2026-11-20T17:30:00Z').incident;
    // Saturday noon: half an hour of the 4 business hours is used.
    expect(slaView(p2, '2026-11-21T12:00:00.000Z', rules)).toMatchObject({
      state: 'ok',
      remainingMs: 3.5 * H,
    });
    expect(slaView(p2, '2026-11-23T13:30:00.000Z', rules)?.remainingMs).toBe(-1 * H);
    const resolved: Incident = { ...p2, status: 'resolved', resolvedAt: '2026-11-23T10:00:00.000Z' };
    expect(slaView(resolved, '2026-11-30T00:00:00.000Z', rules)?.remainingMs).toBe(2.5 * H);
    expect(slaView(p1, '2026-11-20T18:30:00.000Z', rules)?.remainingMs).toBe(3 * H);
  });
});

describe('the issue’s priority, due date and breach label', () => {
  const tracker: TrackerRules = {
    project: 'OPS',
    issueType: 'Task',
    labels: ['incident-bridge'],
    components: [],
    summary: '{{title}}',
    description: '',
    priorities: { critical: 'Severity says Highest', high: 'Severity says High' },
    priorityNames: rules.jiraPriorities,
    transitions: {},
    noReopenResolutions: [],
    routes: [],
  };

  it('takes the Jira priority from the priority, and the due date in the calendar’s zone', () => {
    const { incident } = deliver(null, [alert('a', 'critical')], '2026-11-20T22:30:00Z');
    const spec = planIssue(incident, tracker);
    expect(spec.priority).toBe('Highest');
    expect(spec.dueDate).toBe('2026-11-21');
    expect(spec.labels).not.toContain('sla-breached');
  });

  it('falls back to the severity’s Jira priority for incidents without a priority', () => {
    const { incident } = deliver(null, [alert('a', 'critical')], '2026-11-20T22:30:00Z');
    const { priority: _p, sla: _s, ...legacy } = incident;
    expect(planIssue(legacy, tracker).priority).toBe('Severity says Highest');
    expect(planIssue(legacy, tracker).dueDate).toBeUndefined();
  });

  it('adds the breach label and changes only what changed', () => {
    const { incident } = deliver(null, [alert('a', 'critical')], '2026-11-20T17:30:00Z');
    const before = planIssue(incident, tracker);
    const written = { priority: 'Highest', dueDate: '2026-11-20', labels: before.labels };
    expect(planFieldUpdate(before, written)).toBeNull();
    const breached = markSla(incident, 'breach', '2026-11-20T21:30:00.000Z');
    if (breached.kind !== 'changed') throw new Error('not breached');
    const after = planIssue(breached.incident, tracker);
    expect(planFieldUpdate(after, written)).toEqual({ addLabels: ['sla-breached'] });
    expect(planFieldUpdate(after, undefined)).toEqual({
      priority: 'Highest',
      dueDate: '2026-11-20',
      addLabels: after.labels,
    });
  });
});

describe('notifications', () => {
  it('stays quiet about each clear and re-fire of a flapping incident, after saying it flaps', () => {
    const { incident } = deliver(null, [alert('a', 'critical')], '2026-11-20T17:30:00Z');
    const flapping = { ...incident, flapping: true };
    const at = '2026-11-20T17:40:00Z';
    expect(notificationFor({ type: 'incident-resolved', incidentId: 'INC-1' }, incident, at)).not.toBeNull();
    expect(notificationFor({ type: 'incident-resolved', incidentId: 'INC-1' }, flapping, at)).toBeNull();
    expect(notificationFor({ type: 'incident-reopened', incidentId: 'INC-1' }, flapping, at)).toBeNull();
    expect(notificationFor({ type: 'flapping-started', incidentId: 'INC-1' }, flapping, at)?.text).toContain(
      'INC-1 is flapping',
    );
  });

  it('tells at once that the incident was received, with its priority and due time', () => {
    const { incident } = deliver(null, [alert('a', 'critical')], '2026-11-20T17:30:00Z');
    const n = notificationFor(
      { type: 'incident-opened', incidentId: 'INC-1' },
      incident,
      '2026-11-20T17:30:00Z',
    );
    expect(n?.text).toBe(
      'INC-1 received: Disk full. Priority P1, due by 2026-11-20 21:30 UTC. Ticket to follow.',
    );
    const withTicket = { ...incident, jira: { ...(incident.jira ?? emptyLink), key: 'OPS-7', url: 'u' } };
    expect(
      notificationFor({ type: 'ticket-created', incidentId: 'INC-1' }, withTicket, '2026-11-20T17:31:00Z')
        ?.text,
    ).toBe('INC-1: ticket OPS-7.');
    expect(
      notificationFor({ type: 'alerts-joined', incidentId: 'INC-1' }, incident, '2026-11-20T17:31:00Z'),
    ).toBeNull();
  });

  it.each([
    [
      { type: 'problem-linked', incidentId: 'INC-1', problemId: 'PRB-3' },
      'INC-1 is linked to problem PRB-3.',
    ],
    [
      { type: 'release-closed', incidentId: 'INC-1', version: '2.4.1' },
      'INC-1 fixed in release 2.4.1; ticket closed.',
    ],
    [
      { type: 'sla-breached', incidentId: 'INC-1', dueAt: 'x' },
      'INC-1: not resolved in time (due by 2026-11-20 21:30 UTC).',
    ],
  ] as const)('has a sentence for %o', (effect, text) => {
    const { incident } = deliver(null, [alert('a', 'critical')], '2026-11-20T17:30:00Z');
    expect(notificationFor(effect, incident, '2026-11-20T18:00:00Z')?.text).toBe(text);
  });
});

const emptyLink = {
  key: null,
  url: null,
  syncedAt: null,
  syncedRevision: 0,
  newsSeq: 0,
  state: 'open' as const,
  contentHash: '',
};
