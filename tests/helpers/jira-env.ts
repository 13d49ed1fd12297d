import { DEFAULT_SIM_AUTH, type JiraSimulator } from '../jira-sim/jira-simulator.js';

/** The environment that points a test bridge at the Jira simulator, with short waits and retries. */
export function jiraSimEnv(sim: JiraSimulator, api: '2' | '3' = '3'): Record<string, string> {
  return {
    JIRA_URL: sim.url,
    JIRA_PROJECT: 'OPS',
    JIRA_API_VERSION: api,
    JIRA_EMAIL: DEFAULT_SIM_AUTH.basic.username,
    JIRA_API_TOKEN: DEFAULT_SIM_AUTH.basic.password,
    JIRA_RETRY_BASE_MS: '50',
    TRACKER_DEBOUNCE_MS: '20',
    TRACKER_RETRY_BASE_MS: '100',
    TRACKER_RETRY_MAX_MS: '400',
  };
}
