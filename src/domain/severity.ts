import { SEVERITIES, type Severity } from './model.js';

const RANK: Readonly<Record<Severity, number>> = Object.fromEntries(
  SEVERITIES.map((s, i) => [s, i]),
) as Record<Severity, number>;

const ALIASES: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  crit: 'critical',
  disaster: 'critical',
  emergency: 'critical',
  fatal: 'critical',
  page: 'critical',
  p1: 'critical',
  high: 'high',
  error: 'high',
  major: 'high',
  p2: 'high',
  average: 'average',
  medium: 'average',
  p3: 'average',
  warning: 'warning',
  warn: 'warning',
  minor: 'warning',
  low: 'warning',
  p4: 'warning',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  none: 'info',
  p5: 'info',
};

/** Reads a free-form severity word (Alertmanager's `severity` label, Zabbix's severity name). */
export function parseSeverity(word: string | undefined | null): Severity {
  if (!word) return 'unknown';
  return ALIASES[word.trim().toLowerCase()] ?? 'unknown';
}

/** Zabbix's numeric severity: 0 not classified, 1 information, 2 warning, 3 average, 4 high, 5 disaster. */
export function zabbixSeverity(n: number): Severity {
  const byNumber: readonly Severity[] = ['unknown', 'info', 'warning', 'average', 'high', 'critical'];
  return byNumber[n] ?? 'unknown';
}

export function severityRank(s: Severity): number {
  return RANK[s];
}

export function maxSeverity(list: readonly Severity[]): Severity {
  let best: Severity = 'unknown';
  for (const s of list) if (RANK[s] > RANK[best]) best = s;
  return best;
}
