import type { IncidentPolicy } from './grouping.js';
import type {
  AlertEvent,
  AlertState,
  DecisionReason,
  Incident,
  IncidentEffect,
  IncidentStatus,
  Labels,
  NewsItem,
  NewsKind,
  Source,
} from './model.js';
import { maxSeverity } from './severity.js';

export interface BatchContext {
  /** When the delivery was received: the only clock the domain knows. */
  readonly now: string;
  readonly key: string;
  readonly policy: IncidentPolicy;
  /** The id to give an incident this batch opens; without it such a batch answers `needs-id`. */
  readonly newIncidentId?: string | undefined;
}

export interface AlertDecision {
  readonly alertId: string;
  readonly reason: DecisionReason;
  readonly incidentId: string | null;
}

export type BatchOutcome =
  | { readonly kind: 'needs-id' }
  | {
      readonly kind: 'decided';
      /** The incident now current for the key, or null when there is none. */
      readonly incident: Incident | null;
      /** True when `incident` differs from what was stored (a duplicate still moves `lastSeenAt`). */
      readonly changed: boolean;
      readonly decisions: readonly AlertDecision[];
      readonly effects: readonly IncidentEffect[];
    };

const ms = (iso: string): number => Date.parse(iso);

/** The moment an alert's state is about: its start while it fires, its end once resolved. */
function stateTime(a: { status: 'firing' | 'resolved'; startsAt: string; endsAt: string | null }): number {
  return a.status === 'resolved' && a.endsAt !== null ? ms(a.endsAt) : ms(a.startsAt);
}

const isActive = (s: IncidentStatus): boolean => s === 'open' || s === 'acknowledged';

function toState(e: AlertEvent): AlertState {
  return {
    id: e.id,
    source: e.source,
    status: e.status,
    labels: e.labels,
    annotations: e.annotations,
    startsAt: e.startsAt,
    endsAt: e.status === 'resolved' ? e.endsAt : null,
    url: e.url,
    title: e.title,
    severity: e.severity,
  };
}

/** A mutable working copy used inside one batch, folded back into an immutable Incident at the end. */
interface Draft {
  base: Omit<Incident, 'alerts' | 'severity' | 'sources' | 'labels'>;
  alerts: Map<string, AlertState>;
  created: boolean;
  changed: boolean;
  /** The incident's common labels before this batch (null for a new incident). */
  commonBefore: Labels | null;
  /** Alerts this batch added or replaced: only they can narrow the common labels. */
  touched: Set<string>;
}

function setAlert(d: Draft, alert: AlertState): void {
  d.alerts.set(alert.id, alert);
  d.touched.add(alert.id);
}

function draftOf(incident: Incident): Draft {
  const { alerts, severity: _s, sources: _src, labels, ...base } = incident;
  return {
    base,
    alerts: new Map(alerts.map((a) => [a.id, a])),
    created: false,
    changed: false,
    commonBefore: labels,
    touched: new Set(),
  };
}

function newDraft(id: string, key: string, e: AlertEvent, now: string): Draft {
  return {
    base: {
      id,
      key,
      status: 'open',
      flapping: false,
      title: e.title,
      firstSeenAt: now,
      lastSeenAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      closedAt: null,
      repeats: 0,
      reopenCount: 0,
      refires: [],
      revision: 1,
      news: [],
      jira: null,
      problemId: null,
      correlatedAt: null,
      releaseFlag: null,
    },
    alerts: new Map([[e.id, toState(e)]]),
    created: true,
    changed: true,
    commonBefore: null,
    touched: new Set([e.id]),
  };
}

function commonLabels(alerts: readonly AlertState[]): Labels {
  const [first, ...rest] = alerts;
  if (!first) return {};
  const common: Record<string, string> = { ...first.labels };
  for (const a of rest) {
    for (const [k, v] of Object.entries(common)) if (a.labels[k] !== v) delete common[k];
  }
  return common;
}

/** The common labels kept from before the batch, narrowed by the alerts the batch touched. */
function narrowed(d: Draft): Labels {
  if (d.touched.size === 0) return d.commonBefore ?? {};
  const common: Record<string, string> = { ...d.commonBefore };
  for (const id of d.touched) {
    const labels = d.alerts.get(id)?.labels ?? {};
    for (const [k, v] of Object.entries(common)) if (labels[k] !== v) delete common[k];
  }
  return common;
}

function freeze(d: Draft): Incident {
  const alerts = [...d.alerts.values()];
  const firing = alerts.filter((a) => a.status === 'firing');
  const sources = [...new Set<Source>(alerts.map((a) => a.source))].sort();
  return {
    ...d.base,
    severity: maxSeverity((firing.length > 0 ? firing : alerts).map((a) => a.severity)),
    sources,
    labels: d.commonBefore === null ? commonLabels(alerts) : narrowed(d),
    alerts,
  };
}

type Step =
  | { kind: 'needs-id' }
  | { kind: 'new'; draft: Draft; reason: DecisionReason; effects: IncidentEffect[] }
  | { kind: 'same'; reason: DecisionReason; effects: IncidentEffect[] };

function markChanged(d: Draft): void {
  if (!d.changed) {
    d.changed = true;
    d.base = { ...d.base, revision: d.base.revision + 1 };
  }
}

function recordRefire(d: Draft, at: string, policy: IncidentPolicy, effects: IncidentEffect[]): boolean {
  const cutoff = ms(at) - policy.flapping.windowMs;
  const refires = [...d.base.refires, at].filter((t) => ms(t) > cutoff).sort();
  const flapping = refires.length > policy.flapping.cycles;
  const started = flapping && !d.base.flapping;
  d.base = { ...d.base, refires, flapping };
  if (started) effects.push({ type: 'flapping-started', incidentId: d.base.id });
  return started;
}

function resolveIfDone(d: Draft, effects: IncidentEffect[]): boolean {
  if (!isActive(d.base.status)) return false;
  let latestEnd = 0;
  for (const a of d.alerts.values()) {
    if (a.status === 'firing') return false;
    if (a.endsAt !== null) latestEnd = Math.max(latestEnd, ms(a.endsAt));
  }
  d.base = { ...d.base, status: 'resolved', resolvedAt: new Date(latestEnd).toISOString() };
  effects.push({ type: 'incident-resolved', incidentId: d.base.id });
  return true;
}

function applyAck(d: Draft, e: AlertEvent, effects: IncidentEffect[]): boolean {
  if (!e.ack || d.base.status !== 'open') return false;
  d.base = { ...d.base, status: 'acknowledged', acknowledgedAt: e.ack.at, acknowledgedBy: e.ack.by };
  effects.push({ type: 'incident-acknowledged', incidentId: d.base.id, by: e.ack.by });
  return true;
}

function reopen(d: Draft, effects: IncidentEffect[]): void {
  d.base = {
    ...d.base,
    status: 'open',
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    reopenCount: d.base.reopenCount + 1,
  };
  effects.push({ type: 'incident-reopened', incidentId: d.base.id });
}

function withinReopenWindow(d: Draft, e: AlertEvent, policy: IncidentPolicy): boolean {
  if (d.base.status !== 'resolved' || d.base.resolvedAt === null) return false;
  return ms(e.startsAt) - ms(d.base.resolvedAt) <= policy.reopenWindowMs;
}

function openNew(ctx: BatchContext, e: AlertEvent): Step {
  if (ctx.newIncidentId === undefined) return { kind: 'needs-id' };
  const draft = newDraft(ctx.newIncidentId, ctx.key, e, ctx.now);
  const effects: IncidentEffect[] = [{ type: 'incident-opened', incidentId: draft.base.id }];
  applyAck(draft, e, effects);
  return { kind: 'new', draft, reason: 'new-incident', effects };
}

/** One alert event against the incident currently holding the key. */
function step(d: Draft | null, e: AlertEvent, ctx: BatchContext): Step {
  const effects: IncidentEffect[] = [];
  if (d === null)
    return e.status === 'firing' ? openNew(ctx, e) : { kind: 'same', reason: 'unknown-resolved', effects };

  const known = d.alerts.get(e.id);
  const incoming = stateTime(e);

  if (!known) {
    if (e.status === 'resolved') return { kind: 'same', reason: 'unknown-resolved', effects };
    if (isActive(d.base.status)) {
      setAlert(d, toState(e));
      markChanged(d);
      effects.push({ type: 'alerts-joined', incidentId: d.base.id, alertIds: [e.id] });
      applyAck(d, e, effects);
      return { kind: 'same', reason: 'new-alert', effects };
    }
    if (!withinReopenWindow(d, e, ctx.policy)) return openNew(ctx, e);
    setAlert(d, toState(e));
    markChanged(d);
    reopen(d, effects);
    effects.push({ type: 'alerts-joined', incidentId: d.base.id, alertIds: [e.id] });
    applyAck(d, e, effects);
    return { kind: 'same', reason: 'reopened', effects };
  }

  const current = stateTime(known);
  if (incoming < current || (incoming === current && known.status === 'resolved' && e.status === 'firing')) {
    return { kind: 'same', reason: 'stale', effects };
  }

  if (e.status === 'resolved') {
    if (known.status === 'resolved') return duplicateOrUpdate(d, known, e, effects);
    setAlert(d, { ...known, status: 'resolved', endsAt: e.endsAt, severity: e.severity });
    markChanged(d);
    const done = resolveIfDone(d, effects);
    return { kind: 'same', reason: done ? 'incident-resolved' : 'alert-resolved', effects };
  }

  // e fires
  if (known.status === 'firing') {
    if (incoming === current) return duplicateOrUpdate(d, known, e, effects);
    // A newer start while we still thought it fired: the resolve between went missing. Take the newer start.
    setAlert(d, toState(e));
    markChanged(d);
    return { kind: 'same', reason: 'alert-updated', effects };
  }

  // A resolved alert fires again.
  if (isActive(d.base.status)) {
    setAlert(d, toState(e));
    markChanged(d);
    const started = recordRefire(d, e.startsAt, ctx.policy, effects);
    applyAck(d, e, effects);
    return { kind: 'same', reason: started ? 'flapping' : 'alert-refired', effects };
  }
  if (!withinReopenWindow(d, e, ctx.policy)) return openNew(ctx, e);
  setAlert(d, toState(e));
  markChanged(d);
  reopen(d, effects);
  const started = recordRefire(d, e.startsAt, ctx.policy, effects);
  applyAck(d, e, effects);
  return { kind: 'same', reason: started ? 'flapping' : 'reopened', effects };
}

function duplicateOrUpdate(d: Draft, known: AlertState, e: AlertEvent, effects: IncidentEffect[]): Step {
  if (applyAck(d, e, effects)) {
    markChanged(d);
    return { kind: 'same', reason: 'acknowledged', effects };
  }
  if (known.severity !== e.severity || known.title !== e.title) {
    setAlert(d, { ...known, severity: e.severity, title: e.title });
    markChanged(d);
    return { kind: 'same', reason: 'alert-updated', effects };
  }
  d.base = { ...d.base, repeats: d.base.repeats + 1 };
  return { kind: 'same', reason: 'duplicate', effects };
}

/**
 * Applies the alert events of one delivery that share a grouping key to the incident currently
 * holding that key. Pure: the same current incident, events and context always give the same outcome.
 * When the events open a new incident and `ctx.newIncidentId` is missing, it answers `needs-id`;
 * call it again with an id.
 */
export function decideAlerts(
  current: Incident | null,
  events: readonly AlertEvent[],
  ctx: BatchContext,
): BatchOutcome {
  let draft: Draft | null = current ? draftOf(current) : null;
  let idUsed = false;
  const decisions: AlertDecision[] = [];
  const effects: IncidentEffect[] = [];
  for (const e of events) {
    const s = step(draft, e, idUsed ? { ...ctx, newIncidentId: undefined } : ctx);
    if (s.kind === 'needs-id') return { kind: 'needs-id' };
    if (s.kind === 'new') {
      draft = s.draft;
      idUsed = true;
    }
    decisions.push({ alertId: e.id, reason: s.reason, incidentId: draft?.base.id ?? null });
    effects.push(...s.effects);
  }
  if (draft === null) return { kind: 'decided', incident: null, changed: false, decisions, effects };
  const seen = decisions.some(
    (x) => x.incidentId === draft?.base.id && x.reason !== 'stale' && x.reason !== 'unknown-resolved',
  );
  if (seen) draft.base = { ...draft.base, lastSeenAt: ctx.now };
  const changed = draft.created || draft.changed || seen;
  // Alerts that arrive with the incident's opening are part of the news that it opened.
  const created = draft.created ? draft.base.id : null;
  const told = mergeJoins(effects.filter((e) => !(e.type === 'alerts-joined' && e.incidentId === created)));
  draft.base = { ...draft.base, news: appendNews(draft.base.news, told, ctx.now) };
  return { kind: 'decided', incident: freeze(draft), changed, decisions, effects: told };
}

/** Several alerts joining in one delivery are one piece of news. */
function mergeJoins(effects: readonly IncidentEffect[]): IncidentEffect[] {
  const out: IncidentEffect[] = [];
  for (const e of effects) {
    const last = out[out.length - 1];
    if (e.type === 'alerts-joined' && last?.type === 'alerts-joined' && last.incidentId === e.incidentId) {
      out[out.length - 1] = { ...last, alertIds: [...last.alertIds, ...e.alertIds] };
    } else out.push(e);
  }
  return out;
}

/** News kept per incident; older items have been told in the tracker or are summed up in its description. */
export const MAX_NEWS = 50;

const NEWS_OF: Partial<Record<IncidentEffect['type'], NewsKind>> = {
  'alerts-joined': 'alerts-joined',
  'incident-resolved': 'resolved',
  'incident-reopened': 'reopened',
  'flapping-started': 'flapping-started',
  'incident-acknowledged': 'acknowledged',
};

/** Turns effects into news items for the people following the incident. */
export function appendNews(
  news: readonly NewsItem[],
  effects: readonly IncidentEffect[],
  at: string,
): NewsItem[] {
  let seq = news.at(-1)?.seq ?? 0;
  const out = [...news];
  for (const e of effects) {
    const kind = NEWS_OF[e.type];
    if (!kind) continue;
    seq += 1;
    out.push({
      seq,
      kind,
      at,
      ...(e.type === 'alerts-joined' ? { alertIds: e.alertIds } : {}),
      ...(e.type === 'incident-acknowledged' ? { by: e.by } : {}),
    });
  }
  return out.slice(-MAX_NEWS);
}

export type CommandOutcome =
  | { readonly kind: 'changed'; readonly incident: Incident; readonly effects: readonly IncidentEffect[] }
  | { readonly kind: 'unchanged'; readonly incident: Incident }
  | { readonly kind: 'rejected'; readonly why: string };

/** A person acknowledges the incident: they own it now. */
export function acknowledge(incident: Incident, by: string | null, now: string): CommandOutcome {
  if (incident.status === 'acknowledged') return { kind: 'unchanged', incident };
  if (incident.status !== 'open') return { kind: 'rejected', why: `incident is ${incident.status}` };
  return {
    kind: 'changed',
    incident: {
      ...incident,
      status: 'acknowledged',
      acknowledgedAt: now,
      acknowledgedBy: by,
      revision: incident.revision + 1,
      news: appendNews(incident.news, [{ type: 'incident-acknowledged', incidentId: incident.id, by }], now),
    },
    effects: [{ type: 'incident-acknowledged', incidentId: incident.id, by }],
  };
}

/** A person closes the incident; alerts arriving later open a new one. */
export function close(incident: Incident, now: string): CommandOutcome {
  if (incident.status === 'closed') return { kind: 'unchanged', incident };
  return {
    kind: 'changed',
    incident: { ...incident, status: 'closed', closedAt: now, revision: incident.revision + 1 },
    effects: [],
  };
}

/** Links the incident to a problem (or unlinks it, with null); correlation has looked at it then. */
export function attachToProblem(incident: Incident, problemId: string | null, now: string): Incident {
  const correlatedAt = incident.correlatedAt ?? now;
  if (incident.problemId === problemId) return { ...incident, correlatedAt };
  const linked: Incident = { ...incident, problemId, correlatedAt, revision: incident.revision + 1 };
  if (problemId === null) return linked;
  return { ...linked, news: appendNewsItem(linked.news, 'problem-linked', now, problemId) };
}

/** The fix of its problem was released: closed when its alerts are quiet, flagged when they still fire. */
export function closeForRelease(incident: Incident, version: string, now: string): CommandOutcome {
  if (incident.status === 'closed') return { kind: 'unchanged', incident };
  const firing = incident.alerts.some((a) => a.status === 'firing');
  if (firing) {
    if (incident.releaseFlag === version) return { kind: 'unchanged', incident };
    return {
      kind: 'changed',
      incident: {
        ...incident,
        releaseFlag: version,
        revision: incident.revision + 1,
        news: appendNewsItem(incident.news, 'still-firing-after-release', now, version),
      },
      effects: [],
    };
  }
  return {
    kind: 'changed',
    incident: {
      ...incident,
      status: 'closed',
      closedAt: now,
      revision: incident.revision + 1,
      news: appendNewsItem(incident.news, 'fixed-in-release', now, version),
    },
    effects: [],
  };
}

function appendNewsItem(news: readonly NewsItem[], kind: NewsKind, at: string, ref: string): NewsItem[] {
  const seq = (news.at(-1)?.seq ?? 0) + 1;
  return [...news, { seq, kind, at, ref }].slice(-MAX_NEWS);
}
