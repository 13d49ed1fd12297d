import { Counter, Histogram, type Registry } from 'prom-client';
import type { JiraCallMetrics } from '../jira/jira-client.js';

export interface JiraMetrics extends JiraCallMetrics {
  issueCreated(): void;
}

/** Jira calls by operation and outcome, their latency, time spent waiting on rate limits, issues created. */
export function createJiraMetrics(registry: Registry): JiraMetrics {
  const calls = new Counter({
    name: 'incident_bridge_jira_calls_total',
    help: 'Jira REST calls by operation and outcome (ok, rate-limited, http-<status>, network-error).',
    labelNames: ['op', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'incident_bridge_jira_call_duration_seconds',
    help: 'Latency of Jira REST calls by operation.',
    labelNames: ['op'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const waited = new Counter({
    name: 'incident_bridge_jira_rate_limit_wait_seconds_total',
    help: 'Time spent waiting because Jira asked to (Retry-After).',
    registers: [registry],
  });
  const created = new Counter({
    name: 'incident_bridge_jira_issues_created_total',
    help: 'Jira issues created by the bridge.',
    registers: [registry],
  });
  calls.inc({ op: 'create-issue', outcome: 'ok' }, 0);
  created.inc(0);
  waited.inc(0);
  return {
    call(op, outcome, seconds) {
      calls.inc({ op, outcome });
      latency.observe({ op }, seconds);
    },
    rateLimitWait: (seconds) => waited.inc(seconds),
    issueCreated: () => created.inc(),
  };
}
