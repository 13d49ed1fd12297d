import { describe, expect, it } from 'vitest';
import { toAdf, toWiki } from '../../src/adapters/jira/rich-text-render.js';
import { DEFAULT_POLICY } from '../../src/domain/grouping.js';
import { decideAlerts } from '../../src/domain/incident-decisions.js';
import type { AlertEvent, Incident } from '../../src/domain/model.js';
import { link, paragraph, text } from '../../src/domain/rich-text.js';
import {
  DESCRIPTION_MAX,
  incidentLabel,
  planIssue,
  SUMMARY_MAX,
  type TrackerRules,
  toLabel,
} from '../../src/domain/tracker-plan.js';
import { planSync } from '../../src/domain/tracker-sync.js';

const rules: TrackerRules = {
  project: 'OPS',
  issueType: 'Task',
  labels: ['incident-bridge', 'on call'],
  components: [],
  summary: '[{{severity}}] {{title}} on {{labels.service}}',
  description: 'Opened for {{id}}.',
  priorities: { critical: 'Highest' },
  transitions: { resolve: 'Done', reopen: 'Reopen' },
  noReopenResolutions: ["Won't Fix"],
  routes: [
    {
      name: 'db',
      match: { team: 'db' },
      matchRe: {},
      project: 'DBA',
      components: ['database'],
      labels: ['db'],
    },
  ],
};

function incidentOf(alerts: AlertEvent[]): Incident {
  const out = decideAlerts(null, alerts, {
    now: '2026-11-22T10:00:00Z',
    key: 'k',
    policy: DEFAULT_POLICY,
    newIncidentId: 'INC-7',
  });
  if (out.kind !== 'decided' || !out.incident) throw new Error('no incident');
  return out.incident;
}

const alert = (i: number, labels: Record<string, string> = {}, title = 'Disk full'): AlertEvent => ({
  id: `a${i}`,
  source: 'alertmanager',
  status: 'firing',
  labels: { alertname: 'DiskFull', service: 'storage', instance: `host-${i}`, ...labels },
  annotations: {},
  startsAt: '2026-11-22T09:59:00Z',
  endsAt: null,
  url: `http://prom.example/graph?i=${i}`,
  title,
  severity: 'critical',
});

describe('issue plan', () => {
  it('renders the summary, labels, priority and the alert list', () => {
    const spec = planIssue(incidentOf([alert(1), alert(2)]), rules);
    expect(spec.summary).toBe('[critical] Disk full on storage');
    expect(spec.project).toBe('OPS');
    expect(spec.priority).toBe('Highest');
    expect(spec.labels).toEqual(['incident-bridge', 'on-call', 'incident-bridge-INC-7']);
    const wiki = toWiki(spec.description);
    expect(wiki).toContain('Opened for INC-7.');
    expect(wiki).toContain('[source|http://prom.example/graph?i=2]');
    expect(wiki).toContain('{{alertname=DiskFull, service=storage, instance=host-1}}');
  });

  it('routes by labels to another project with its components and labels', () => {
    const spec = planIssue(incidentOf([alert(1, { team: 'db' })]), rules);
    expect(spec).toMatchObject({ project: 'DBA', components: ['database'] });
    expect(spec.labels).toContain('db');
  });

  it("keeps within Jira's limits", () => {
    const many = Array.from({ length: 2000 }, (_, i) => alert(i, { note: 'x'.repeat(40) }, 'T'.repeat(300)));
    const spec = planIssue(incidentOf(many), rules);
    expect(spec.summary.length).toBeLessThanOrEqual(SUMMARY_MAX);
    expect(toWiki(spec.description).length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(JSON.stringify(toAdf(spec.description))).toContain('more alerts');
    expect(toLabel(' has  spaces ')).toBe('has-spaces');
    expect(incidentLabel('INC-42')).toBe('incident-bridge-INC-42');
  });

  it('plans a creation first, and nothing once the issue shows the incident', () => {
    const incident = incidentOf([alert(1)]);
    const first = planSync(incident, rules);
    expect(first).toMatchObject({ needsIssue: true, comment: null, move: null, inLine: false });
    const synced: Incident = {
      ...incident,
      jira: {
        key: 'OPS-1',
        url: 'u',
        syncedAt: 'x',
        syncedRevision: incident.revision,
        newsSeq: first.newsSeq,
        state: 'open',
        contentHash: first.contentHash,
        fields: first.fields,
      },
    };
    expect(planSync(synced, rules).inLine).toBe(true);
    const resolved: Incident = { ...synced, status: 'resolved' };
    expect(planSync(resolved, rules).move).toBe('resolve');
    expect(
      planSync(
        {
          ...resolved,
          status: 'open',
          jira: { ...(synced.jira as NonNullable<Incident['jira']>), state: 'done' },
        },
        rules,
      ).move,
    ).toBe('reopen');
  });
});

describe('rich text', () => {
  it('renders Atlassian Document Format for REST v3', () => {
    const adf = toAdf([paragraph(text('Hi ', { strong: true }), link('there', 'https://x.example'))]);
    expect(adf).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Hi ', marks: [{ type: 'strong' }] },
            { type: 'text', text: 'there', marks: [{ type: 'link', attrs: { href: 'https://x.example' } }] },
          ],
        },
      ],
    });
  });

  it('escapes wiki markup for REST v2', () => {
    expect(toWiki([paragraph(text('a*b* [c] {d}'))])).toBe('a\\*b\\* \\[c\\] \\{d\\}');
  });
});

describe('news while flapping', () => {
  it('keeps resolve and re-fire cycles out of the comments once the incident flaps, but still moves the issue', () => {
    const base = incidentOf([alert(1)]);
    const first = planSync(base, rules);
    const linked: Incident = {
      ...base,
      jira: {
        key: 'OPS-1',
        url: 'u',
        syncedAt: 'x',
        syncedRevision: base.revision,
        newsSeq: first.newsSeq,
        state: 'open',
        contentHash: first.contentHash,
      },
    };
    const resolvedNews = [{ seq: 1, kind: 'resolved' as const, at: '2026-11-22T10:05:00Z' }];
    const calm = planSync({ ...linked, status: 'resolved', news: resolvedNews }, rules);
    expect(calm.comment).not.toBeNull();
    const flapping = planSync({ ...linked, status: 'resolved', flapping: true, news: resolvedNews }, rules);
    expect(flapping.comment).toBeNull();
    expect(flapping.move).toBe('resolve');
    expect(flapping.newsSeq).toBe(1);
  });
});
