import { type Matcher, routeMatches } from './grouping.js';
import { serviceLevelFields } from './issue-fields.js';
import type { Incident, NewsItem, Priority, Severity } from './model.js';
import { type Block, type Inline, link, paragraph, plainLength, type RichText, text } from './rich-text.js';

/** Jira's limits: a summary holds 255 characters, a description 32,767. */
export const SUMMARY_MAX = 255;
export const DESCRIPTION_MAX = 32_767;
/** Kept under the limit, since markup adds characters to what a reader sees. */
const DESCRIPTION_BUDGET = 30_000;

export interface TrackerRoute extends Matcher {
  readonly name: string;
  readonly project?: string | undefined;
  readonly issueType?: string | undefined;
  readonly components?: readonly string[] | undefined;
  readonly labels?: readonly string[] | undefined;
}

export interface TrackerRules {
  readonly project: string;
  readonly issueType: string;
  readonly labels: readonly string[];
  readonly components: readonly string[];
  readonly summary: string;
  readonly description: string;
  /** Jira priority names by severity; a severity without one gets Jira's default. */
  readonly priorities: Partial<Record<Severity, string>>;
  /** Jira priority names by incident priority (`priority.yml`): they win over the severity's. */
  readonly priorityNames?: Readonly<Partial<Record<Priority, string>>> | undefined;
  /** Transition names, looked up on the issue; without them the issue's status is left alone. */
  readonly transitions: { readonly resolve?: string | undefined; readonly reopen?: string | undefined };
  /** The resolution set with the resolve transition, when its screen has the field. */
  readonly resolveResolution?: string | undefined;
  /** Resolutions that mean "do not reopen". */
  readonly noReopenResolutions: readonly string[];
  readonly routes: readonly TrackerRoute[];
}

export interface IssueSpec {
  readonly project: string;
  readonly issueType: string;
  readonly summary: string;
  readonly description: RichText;
  readonly labels: readonly string[];
  readonly components: readonly string[];
  readonly priority?: string | undefined;
  /** Jira's due date, `YYYY-MM-DD`. */
  readonly dueDate?: string | undefined;
}

/** The label that finds an incident's issue again, even when its key was never stored. */
export const incidentLabel = (incidentId: string): string => `incident-bridge-${incidentId}`;

/** Jira labels cannot hold spaces; they hold at most 255 characters. */
export function toLabel(s: string): string {
  return s.trim().replace(/\s+/g, '-').slice(0, 255);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** `{{title}}`, `{{labels.service}}`, ...: a value missing renders as nothing. */
export function renderTemplate(template: string, incident: Incident): string {
  const vars: Record<string, string> = {
    id: incident.id,
    key: incident.key,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    sources: incident.sources.join(', '),
    alertCount: String(incident.alerts.length),
    firingCount: String(incident.alerts.filter((a) => a.status === 'firing').length),
    firstSeenAt: incident.firstSeenAt,
  };
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) =>
    name.startsWith('labels.') ? (incident.labels[name.slice(7)] ?? '') : (vars[name] ?? ''),
  );
}

function alertLine(a: Incident['alerts'][number]): Inline[] {
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const since = a.status === 'firing' ? `since ${a.startsAt}` : `${a.startsAt} to ${a.endsAt ?? '?'}`;
  const line: Inline[] = [
    text(`[${a.status}] `, { strong: true }),
    text(`${a.title} (${since}) `),
    text(labels, { code: true }),
  ];
  if (a.url) line.push(text(' '), link('source', a.url));
  return line;
}

/** What the incident's issue should say: the same incident always gives the same spec. */
export function planIssue(incident: Incident, rules: TrackerRules): IssueSpec {
  const route = rules.routes.find((r) => incident.alerts.some((a) => routeMatches(r, a.source, a.labels)));
  const intro = renderTemplate(rules.description, incident)
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((p) => paragraph(text(p.trim())));
  const firing = incident.alerts.filter((a) => a.status === 'firing').length;
  const head: Block[] = [
    ...intro,
    paragraph(
      text('Status: ', { strong: true }),
      text(
        `${incident.status}${incident.flapping ? ' (flapping)' : ''}; ${firing} of ${incident.alerts.length} alerts firing. `,
      ),
      text('Key: ', { strong: true }),
      text(incident.key, { code: true }),
    ),
    { type: 'heading', text: 'Alerts' },
  ];
  const items: Inline[][] = [];
  let budget = DESCRIPTION_BUDGET - plainLength(head) - 100;
  for (const [i, a] of incident.alerts.entries()) {
    const line = alertLine(a);
    const size = plainLength([{ type: 'bullets', items: [line] }]);
    if (size > budget) {
      items.push([text(`… and ${incident.alerts.length - i} more alerts (see the bridge).`)]);
      break;
    }
    budget -= size;
    items.push(line);
  }
  const serviceLevel = serviceLevelFields(incident, rules);
  const labels = [
    ...new Set(
      [...rules.labels, ...(route?.labels ?? []), incidentLabel(incident.id), ...serviceLevel.labels].map(
        toLabel,
      ),
    ),
  ];
  const priority = serviceLevel.priority ?? rules.priorities[incident.severity];
  return {
    project: route?.project ?? rules.project,
    issueType: route?.issueType ?? rules.issueType,
    summary: truncate(
      renderTemplate(rules.summary, incident).replace(/\s+/g, ' ').trim() || incident.id,
      SUMMARY_MAX,
    ),
    description: [...head, { type: 'bullets', items }],
    labels,
    components: [...new Set([...rules.components, ...(route?.components ?? [])])],
    ...(priority ? { priority } : {}),
    ...(serviceLevel.dueDate ? { dueDate: serviceLevel.dueDate } : {}),
  };
}

const NEWS_TEXT: Record<NewsItem['kind'], string> = {
  'alerts-joined': 'alerts joined',
  resolved: 'all alerts resolved',
  reopened: 'reopened: an alert fired again',
  'flapping-started': 'flapping: alerts keep resolving and firing again; further repeats stay quiet',
  acknowledged: 'acknowledged',
  'problem-linked': 'linked to problem',
  'fixed-in-release': 'Fixed in',
  'still-firing-after-release': 'still firing after the release of',
  'priority-changed': 'priority changed',
  'sla-warning': 'SLA warning: 75% of the time to resolve is used',
  'sla-breached': 'SLA breached: not resolved in time',
};

/** One comment for a burst of news: what a person following the issue wants to know, nothing more. */
export function renderNews(news: readonly NewsItem[], incident: Incident): RichText {
  const byId = new Map(incident.alerts.map((a) => [a.id, a]));
  const items: Inline[][] = news.map((n) => {
    const line: Inline[] = [text(`${n.at} `), text(NEWS_TEXT[n.kind], { strong: true })];
    if (n.kind === 'alerts-joined' && n.alertIds) {
      const titles = n.alertIds.map((id) => byId.get(id)?.title ?? id);
      const shown = titles.slice(0, 10).join('; ');
      line.push(text(` (${n.alertIds.length}): ${shown}${titles.length > 10 ? '; …' : ''}`));
    }
    if (n.kind === 'acknowledged' && n.by) line.push(text(` by ${n.by}`));
    if (n.ref !== undefined && n.kind !== 'acknowledged' && n.kind !== 'alerts-joined')
      line.push(text(` ${n.ref}`));
    if (n.kind === 'still-firing-after-release')
      line.push(text(': the incident stays open; please check the fix.'));
    if (n.priority !== undefined) line.push(text(` to ${n.priority}`));
    if (n.dueAt !== undefined) line.push(text(`; due by ${n.dueAt}`));
    return line;
  });
  return [paragraph(text(`incident-bridge, ${incident.id}:`, { strong: true })), { type: 'bullets', items }];
}

/** A short, stable fingerprint of what the bridge writes into the issue (FNV-1a 32). */
export function contentHash(spec: Pick<IssueSpec, 'summary' | 'description'>): string {
  const s = JSON.stringify([spec.summary, spec.description]);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
