import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildBridge } from '../helpers/child-bridge.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ib-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function delivery(n: number) {
  const alerts = Array.from({ length: 5 }, (_, i) => ({
    status: 'firing',
    labels: { alertname: `Burst${n % 40}`, service: `svc-${n}`, instance: `host-${i}` },
    annotations: { summary: `burst ${n}/${i}` },
    startsAt: '2026-11-22T20:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
  }));
  return {
    version: '4',
    groupKey: `{}:{n="${n}"}`,
    status: 'firing',
    receiver: 'bridge',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    alerts,
  };
}

describe('embedded store durability', () => {
  it('keeps every accepted alert across a SIGKILL right after a burst of 202 answers, and a torn journal tail', async () => {
    const first = await startChildBridge({ DATA_DIR: dataDir });
    const accepted = new Set<string>();
    const total = 400;
    let killed = false;
    const killAfter = 250;
    const send = async (n: number) => {
      try {
        const r = await fetch(`${first.url}/webhooks/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(delivery(n)),
        });
        if (r.status === 202) {
          for (let i = 0; i < 5; i++) accepted.add(`svc-${n}/host-${i}`);
          if (!killed && accepted.size >= killAfter * 5) {
            killed = true;
            first.process.kill('SIGKILL');
          }
        }
      } catch {
        // refused or reset by the kill: the sender retries later, nothing was promised
      }
    };
    const inFlight: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      inFlight.push(send(n));
      if (inFlight.length % 25 === 0) await Promise.all(inFlight.slice(-25));
    }
    await Promise.all(inFlight);
    await first.kill('SIGKILL');
    expect(accepted.size).toBeGreaterThanOrEqual(killAfter * 5);

    // A crash in the middle of a write leaves half a record at the end of the journal.
    const journalDir = join(dataDir, 'journal');
    const segment = readdirSync(journalDir)
      .filter((f) => f.startsWith('journal-'))
      .sort()
      .at(-1);
    expect(segment).toBeDefined();
    appendFileSync(join(journalDir, segment ?? ''), '{"seq":999999,"rec":{"type":"ingest","deliv');

    const second = await startChildBridge({ DATA_DIR: dataDir });
    try {
      const body = (await fetch(`${second.url}/api/incidents?limit=1000`).then((r) => r.json())) as {
        incidents: { alerts: { labels: Record<string, string> }[] }[];
      };
      const present = new Set(
        body.incidents.flatMap((i) => i.alerts.map((a) => `${a.labels.service}/${a.labels.instance}`)),
      );
      const missing = [...accepted].filter((a) => !present.has(a));
      expect(missing).toEqual([]);
      expect(second.lines.some((l) => l.includes('journal tail cut'))).toBe(true);
      // Still takes deliveries after the repair.
      const more = await fetch(`${second.url}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(delivery(9999)),
      });
      expect(more.status).toBe(202);
    } finally {
      await second.kill('SIGTERM');
    }
  }, 60_000);
});
