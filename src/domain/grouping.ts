import type { Labels, Source } from './model.js';

/** How the alerts a route matches are grouped and how their incidents behave. */
export interface IncidentPolicy {
  readonly groupBy: readonly string[];
  /** A firing alert this soon after its incident resolved reopens it; later, it opens a new incident. */
  readonly reopenWindowMs: number;
  /** More than `cycles` resolve/re-fire cycles within `windowMs` mark the incident flapping. */
  readonly flapping: { readonly cycles: number; readonly windowMs: number };
}

/** Which alerts a rule applies to. */
export interface Matcher {
  readonly source?: Source | undefined;
  /** Label equality. */
  readonly match: Labels;
  /** Label regular expressions, anchored like Alertmanager's. */
  readonly matchRe: Readonly<Record<string, RegExp>>;
}

export interface Route extends Matcher {
  readonly name: string;
  readonly policy: IncidentPolicy;
}

export interface GroupingRules {
  readonly defaults: IncidentPolicy;
  /** First match wins. */
  readonly routes: readonly Route[];
}

export const DEFAULT_POLICY: IncidentPolicy = {
  groupBy: ['alertname', 'service'],
  reopenWindowMs: 60 * 60 * 1000,
  flapping: { cycles: 4, windowMs: 60 * 60 * 1000 },
};

export const DEFAULT_GROUPING: GroupingRules = { defaults: DEFAULT_POLICY, routes: [] };

export function routeMatches(route: Matcher, source: Source, labels: Labels): boolean {
  if (route.source !== undefined && route.source !== source) return false;
  for (const [name, value] of Object.entries(route.match)) if ((labels[name] ?? '') !== value) return false;
  for (const [name, re] of Object.entries(route.matchRe)) if (!re.test(labels[name] ?? '')) return false;
  return true;
}

export interface Grouping {
  readonly key: string;
  readonly route: string;
  readonly policy: IncidentPolicy;
}

/** The incident an alert belongs to is named by its route's `group_by` labels: `{alertname="X",service="y"}`. */
export function groupAlert(rules: GroupingRules, source: Source, labels: Labels): Grouping {
  const route = rules.routes.find((r) => routeMatches(r, source, labels));
  const policy = route?.policy ?? rules.defaults;
  const parts = policy.groupBy.map((name) => `${name}=${JSON.stringify(labels[name] ?? '')}`);
  return { key: `{${parts.join(',')}}`, route: route?.name ?? 'default', policy };
}
