import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildBridge } from '../helpers/child-bridge.js';
import { storm } from '../helpers/storm.js';
import { until } from '../helpers/until.js';
import { DEFAULT_SIM_AUTH, startJiraSimulator } from '../jira-sim/jira-simulator.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ib-jira-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface IncidentJson {
  id: string;
  jira: { key: string | null; error?: string; createRequestedAt?: string } | null;
}

describe('a crash between "Jira created it" and "we stored the key"', () => {
  it('still leaves exactly one issue per incident after a SIGKILL and a restart', async () => {
    // Jira's search shows a new issue only after 5 s, as Cloud's may.
    const sim = await startJiraSimulator({ flavor: 'cloud' });
    sim.faults.set({ searchLagMs: 5000 });
    const env = {
      DATA_DIR: dataDir,
      JIRA_URL: sim.url,
      JIRA_PROJECT: 'OPS',
      JIRA_API_VERSION: '3',
      JIRA_EMAIL: DEFAULT_SIM_AUTH.basic.username,
      JIRA_API_TOKEN: DEFAULT_SIM_AUTH.basic.password,
      TRACKER_DEBOUNCE_MS: '20',
      JIRA_SEARCH_LAG_MS: '8000',
    };
    // Jira creates the issues, but their answers never reach the bridge.
    sim.faults.dropNextConnection(3, {
      afterProcessing: true,
      match: { method: 'POST', path: /\/rest\/api\/3\/issue$/ },
    });
    const first = await startChildBridge({ ...env, TRACKER_RETRY_BASE_MS: '600000' });
    const deliveries = storm({ incidents: 3, alerts: 6, deliveries: 3 });
    for (const d of deliveries) {
      const r = await fetch(`${first.url}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(d.body),
      });
      expect(r.status).toBe(202);
    }
    await until(() => (sim.issues().length === 3 ? true : null), 'three issues in Jira');
    const before = (await fetch(`${first.url}/api/incidents`).then((r) => r.json())) as {
      incidents: IncidentJson[];
    };
    expect(before.incidents.every((i) => i.jira?.key == null)).toBe(true);
    await first.kill('SIGKILL');

    // Restarted at once: the search does not show the issues yet, and the bridge must not create others.
    const second = await startChildBridge({
      ...env,
      TRACKER_RETRY_BASE_MS: '200',
      TRACKER_RETRY_MAX_MS: '500',
    });
    try {
      const after = await until(async () => {
        const body = (await fetch(`${second.url}/api/incidents`).then((r) => r.json())) as {
          incidents: IncidentJson[];
        };
        return body.incidents.every((i) => i.jira?.key) ? body.incidents : null;
      }, 'every incident knowing its issue');
      const issues = sim.issues();
      expect(issues).toHaveLength(3);
      expect(new Set(after.map((i) => i.jira?.key))).toEqual(new Set(issues.map((i) => i.key)));
      for (const i of after) {
        expect(issues.find((x) => x.key === i.jira?.key)?.labels).toContain(`incident-bridge-${i.id}`);
      }
      expect(sim.calls.filter((c) => c.method === 'POST' && /\/issue$/.test(c.path))).toHaveLength(3);
    } finally {
      await second.kill('SIGTERM');
      await sim.close();
    }
  }, 60_000);
});
