import { localDateTime } from './business-calendar.js';
import type { Incident, IncidentStatus, Priority, Severity, Source } from './model.js';

/**
 * What the outbound webhook posts for one event of an incident: a sentence for people (`text`, which
 * Slack- and Mattermost-style incoming webhooks show as is) and the facts for a bot.
 */
export interface Notification {
  /** The effect it tells of: `incident-opened`, `ticket-created`, `incident-acknowledged` ... */
  readonly event: string;
  readonly text: string;
  readonly at: string;
  readonly incident: {
    readonly id: string;
    readonly title: string;
    readonly status: IncidentStatus;
    readonly severity: Severity;
    readonly priority: Priority | null;
    readonly sources: readonly Source[];
  };
  /** The incident's issue, once it exists. */
  readonly ticket: { readonly key: string; readonly url: string | null } | null;
  readonly sla: { readonly responseDueAt: string; readonly resolutionDueAt: string } | null;
}

/** Any effect about one incident: those of the domain model, and those later features add. */
export interface NotifiableEffect {
  readonly type: string;
  readonly incidentId?: string | undefined;
}

interface Facts {
  readonly id: string;
  readonly title: string;
  /** The issue key; `to follow` until it exists; null when there is no tracker. */
  readonly ticket: string | null;
  readonly priority: string;
  /** The resolution due time in its calendar's time zone: `2026-11-23 00:00 UTC`. */
  readonly dueBy: string;
  /** The effect's own fields. */
  readonly effect: Readonly<Record<string, unknown>>;
}

const field = (effect: Facts['effect'], name: string): string =>
  typeof effect[name] === 'string' ? (effect[name] as string) : '';

/**
 * The events worth a message, and their sentence. The hook for new kinds of news: an effect whose
 * type has a row here is posted; any other effect is not.
 */
export const NOTIFY_TEXT: Readonly<Record<string, (f: Facts) => string>> = {
  'incident-opened': (f) =>
    `${f.id} received: ${f.title}. Priority ${f.priority}, due by ${f.dueBy}.${f.ticket ? ` Ticket ${f.ticket}.` : ''}`,
  'ticket-created': (f) => `${f.id}: ticket ${f.ticket}.`,
  'incident-acknowledged': (f) => {
    const by = field(f.effect, 'by');
    return `${f.id} acknowledged${by ? ` by ${by}` : ''}: someone is working on it.`;
  },
  'priority-changed': (f) => `${f.id} is now priority ${f.priority}; due by ${f.dueBy}.`,
  'sla-warning': (f) => `${f.id}: 75% of the time to resolve is used; due by ${f.dueBy}.`,
  'sla-breached': (f) => `${f.id}: not resolved in time (due by ${f.dueBy}).`,
  'incident-resolved': (f) => `${f.id} resolved: every alert has cleared.`,
  'incident-reopened': (f) => `${f.id} reopened: an alert fired again.`,
  'flapping-started': (f) =>
    `${f.id} is flapping: its alerts keep clearing and firing again; quiet until it settles.`,
  'problem-linked': (f) => `${f.id} is linked to problem ${field(f.effect, 'problemId') || '?'}.`,
  'release-closed': (f) => `${f.id} fixed in release ${field(f.effect, 'version') || '?'}; ticket closed.`,
};

/**
 * The message for an effect on `incident`, or null when the effect is not one people are told of.
 * `tickets`: whether a tracker makes issues (without one, no message promises a ticket).
 */
export function notificationFor(
  effect: NotifiableEffect,
  incident: Incident,
  now: string,
  tickets = true,
): Notification | null {
  const render = NOTIFY_TEXT[effect.type];
  if (!render) return null;
  // A flapping incident's every clear and re-fire would be noise: the flapping message said it.
  if (incident.flapping && (effect.type === 'incident-resolved' || effect.type === 'incident-reopened'))
    return null;
  const sla = incident.sla ?? null;
  const key = incident.jira?.key ?? null;
  const text = render({
    id: incident.id,
    title: incident.title,
    ticket: key ?? (tickets ? 'to follow' : null),
    priority: incident.priority ?? 'not set',
    dueBy: sla
      ? `${localDateTime(Date.parse(sla.resolutionDueAt), sla.timeZone)} ${sla.timeZone}`
      : 'not set',
    effect: effect as unknown as Readonly<Record<string, unknown>>,
  });
  return {
    event: effect.type,
    text,
    at: now,
    incident: {
      id: incident.id,
      title: incident.title,
      status: incident.status,
      severity: incident.severity,
      priority: incident.priority ?? null,
      sources: incident.sources,
    },
    ticket: key === null ? null : { key, url: incident.jira?.url ?? null },
    sla: sla ? { responseDueAt: sla.responseDueAt, resolutionDueAt: sla.resolutionDueAt } : null,
  };
}
