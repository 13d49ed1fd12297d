/** Words of PromQL that may stand where a metric name could, without being one. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects, e.g. `incident_bridge_jira_calls_total` in
 * `sum by (op) (rate(incident_bridge_jira_calls_total{outcome!="ok"}[5m]))`. Grafana's variables
 * (`$job`, `${job}`, `$__rate_interval`) may appear, and so may Grafana's `label_values(metric, label)`.
 * Not a parser: it removes what cannot be a metric name (strings, label matchers, ranges, grouping
 * clauses, numbers, function names) and keeps the identifiers left.
 */
export function metricNamesInPromQL(expr: string): string[] {
  const cleaned = expr
    .replace(/#[^\n]*/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[\w$]+/g, ' ')
    .replace(/\blabel_values\s*\(([^,()]*),[^)]*\)/g, '($1)')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/(?<![\w:])(?:0x[0-9a-f]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)(?![\w:])/gi, ' ');
  const names = new Set<string>();
  for (const m of cleaned.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}

const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/**
 * The series names a Prometheus text exposition (a `/metrics` answer) offers to queries: each family of
 * a `# TYPE` line, with `_bucket`, `_sum` and `_count` for histograms and `_sum` and `_count` for
 * summaries. Families are declared even before their first observation, so this does not depend on
 * what the process happened to do.
 */
export function seriesNamesInExposition(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, family, type] = m;
    if (family === undefined || type === undefined) continue;
    for (const suffix of SUFFIXES[type] ?? ['']) names.add(`${family}${suffix}`);
  }
  return names;
}
