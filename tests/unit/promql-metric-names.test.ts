import { describe, expect, it } from 'vitest';
import { metricNamesInPromQL, seriesNamesInExposition } from '../helpers/promql-metric-names.js';

describe('metricNamesInPromQL', () => {
  it.each([
    ['a bare selector', 'up', ['up']],
    ['a selector with matchers', 'up{job="incident-bridge", instance=~"a|b"} == 0', ['up']],
    [
      'functions, grouping and a Grafana range variable',
      'sum by (source, le) (rate(incident_bridge_alerts_received_total{job=~"$job"}[$__rate_interval]))',
      ['incident_bridge_alerts_received_total'],
    ],
    [
      'a histogram quantile',
      'histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket[5m])))',
      ['x_seconds_bucket'],
    ],
    [
      'both sides of a ratio, with on() and bool',
      'sum(rate(a_total{code=~"5.."}[5m])) / on (job) group_left (instance) sum(rate(b_total[5m])) > bool 0.05',
      ['a_total', 'b_total'],
    ],
    [
      'set operators, offset and a subquery',
      'max(q{state="waiting"}) > 1e3 and max(delta(q[10m:1m] offset 5m)) > 0 unless absent(r)',
      ['q', 'r'],
    ],
    [
      'label values that look like names',
      'c_total{outcome!~"ok|rate-limited", op="create_issue"}',
      ['c_total'],
    ],
    [
      'a Grafana label_values query',
      'label_values(incident_bridge_alerts_received_total{job=~"$job"}, instance)',
      ['incident_bridge_alerts_received_total'],
    ],
    ['a without clause', 'sum without (instance, pod) (g)', ['g']],
  ])('finds the metric names of %s', (_, expr, names) => {
    expect(metricNamesInPromQL(expr)).toEqual(names);
  });
});

describe('seriesNamesInExposition', () => {
  const exposition = [
    '# HELP a_total Things.',
    '# TYPE a_total counter',
    'a_total{source="x"} 1',
    '# HELP d_seconds Durations, none observed yet.',
    '# TYPE d_seconds histogram',
    '# TYPE s summary',
    's_sum 0',
    '# TYPE g gauge',
    'g 3',
  ].join('\n');

  it('offers histogram and summary series under their suffixes, observed or not', () => {
    expect([...seriesNamesInExposition(exposition)].sort()).toEqual([
      'a_total',
      'd_seconds_bucket',
      'd_seconds_count',
      'd_seconds_sum',
      'g',
      's',
      's_count',
      's_sum',
    ]);
  });

  it('does not offer a histogram under its bare family name', () => {
    expect(seriesNamesInExposition(exposition).has('d_seconds')).toBe(false);
  });
});
