import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeWebhookBody, decodeWebhookPayload } from '../../src/adapters/sources/webhook-sources.js';
import { EmbeddedIntake, type JournalRecord } from '../../src/adapters/store/embedded-intake.js';
import { FileJournal } from '../../src/adapters/store/file-journal.js';
import { type MemorySnapshot, MemoryStore } from '../../src/adapters/store/memory-store.js';
import type { Command, CommandResult, Logger } from '../../src/app/ports.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A captured Alertmanager body as the sender wrote it: indented, over many lines. */
const captured = (name: string): Buffer =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'alertmanager', `${name}.json`));

const dirs: string[] = [];
const journalDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ib-journal-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The lines of the journal's segments, in order. */
function journalLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '');
}

/** An executor that records what it is asked to carry out. */
function recording(): { run: (c: Command) => Promise<CommandResult>; seen: Command[] } {
  const seen: Command[] = [];
  return {
    seen,
    run: async (command) => {
      seen.push(command);
      return { type: 'queued' };
    },
  };
}

function intakeOn(dir: string, execute: (c: Command) => Promise<CommandResult>) {
  const journal = new FileJournal<MemorySnapshot, JournalRecord>(dir, quiet);
  const intake = new EmbeddedIntake(journal, new MemoryStore(), execute, quiet, {
    snapshotAfterBytes: 64 * 1024 * 1024,
    decodePayload: decodeWebhookPayload,
  });
  return { journal, intake };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the embedded journal takes webhook bodies as they were sent', () => {
  it('writes a body spread over many lines as one record and reads it back parsed', async () => {
    const dir = journalDir();
    const body = captured('04-firing-group-3');
    expect(body.includes('\n')).toBe(true);
    const journal = new FileJournal<MemorySnapshot, JournalRecord>(dir, quiet);
    await journal.load();
    const ack: Command = { type: 'ack', incidentId: 'INC-1', by: 'ana', at: '2026-11-23T01:00:00.000Z' };
    const [place] = await Promise.all([
      journal.appendPayload(
        { type: 'delivery', source: 'alertmanager', receivedAt: '2026-11-23T01:00:00.000Z' },
        body,
      ),
      journal.append(ack),
    ]);
    // Read back from disk as written: the same JSON, on one line.
    const back = await journal.readPayload(place);
    expect(back.includes('\n')).toBe(false);
    expect(JSON.parse(back.toString('utf8'))).toEqual(JSON.parse(body.toString('utf8')));
    await journal.close();

    const lines = journalLines(dir);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] as string).rec.payload).toEqual(JSON.parse(body.toString('utf8')));

    const again = new FileJournal<MemorySnapshot, JournalRecord>(dir, quiet);
    const { records } = await again.load();
    await again.close();
    expect(records).toEqual([
      {
        type: 'delivery',
        source: 'alertmanager',
        receivedAt: '2026-11-23T01:00:00.000Z',
        payload: JSON.parse(body.toString('utf8')),
      },
      ack,
    ]);
  });

  it('reads a payload back from its segment after a snapshot started a new one', async () => {
    const dir = journalDir();
    const body = captured('01-firing-single');
    const journal = new FileJournal<MemorySnapshot, JournalRecord>(dir, quiet);
    await journal.load();
    const record = {
      type: 'delivery',
      source: 'alertmanager',
      receivedAt: '2026-11-23T01:00:00.000Z',
    } as const;
    const first = await journal.appendPayload(record, body);
    // A snapshot of the state before that record: the record is not carried out yet, its segment stays.
    await journal.snapshot(new MemoryStore().snapshot(), 0);
    const second = await journal.appendPayload(record, captured('03-resolved-single'));
    expect(second.segment).not.toBe(first.segment);
    expect(JSON.parse((await journal.readPayload(first)).toString('utf8'))).toEqual(
      JSON.parse(body.toString('utf8')),
    );
    await journal.close();
  });

  it('replays a journaled body into the same events the webhook would have given', async () => {
    const dir = journalDir();
    const body = captured('04-firing-group-3');
    const first = intakeOn(dir, recording().run);
    await first.intake.recover(recording().run);
    await first.intake.submitRaw({ source: 'alertmanager', receivedAt: '2026-11-23T01:00:00.000Z', body });
    await first.journal.close();

    const replayed = recording();
    const second = intakeOn(dir, recording().run);
    expect(await second.intake.recover(replayed.run)).toBe(1);
    await second.intake.close();
    expect(replayed.seen).toEqual([
      {
        type: 'ingest',
        delivery: {
          source: 'alertmanager',
          receivedAt: '2026-11-23T01:00:00.000Z',
          events: decodeWebhookBody('alertmanager', body.toString('utf8')),
        },
      },
    ]);
  });

  it('still replays a journal written before bodies were journaled as sent (mapped events)', async () => {
    const dir = journalDir();
    const events = decodeWebhookBody('alertmanager', captured('04-firing-group-3').toString('utf8'));
    const older: Command = {
      type: 'ingest',
      delivery: { source: 'alertmanager', receivedAt: '2026-11-22T23:00:00.000Z', events },
    };
    const journal = new FileJournal<MemorySnapshot, JournalRecord>(dir, quiet);
    await journal.load();
    await journal.append(older);
    await journal.close();

    const replayed = recording();
    const { intake } = intakeOn(dir, recording().run);
    expect(await intake.recover(replayed.run)).toBe(1);
    await intake.close();
    expect(replayed.seen).toEqual([older]);
  });

  it('holds deliveries while the senders are busy, but not a command someone waits on', async () => {
    const dir = journalDir();
    const executed = recording();
    const { intake } = intakeOn(dir, executed.run);
    await intake.recover(recording().run);
    const delivery = (n: number) => ({
      source: 'alertmanager' as const,
      receivedAt: `2026-11-23T01:00:0${n}.000Z`,
      body: captured('01-firing-single'),
    });

    intake.hold(true);
    await Promise.all([intake.submitRaw(delivery(1)), intake.submitRaw(delivery(2))]);
    expect(intake.deliveriesTaken()).toBe(2);
    await sleep(300);
    // On disk (the sender has its 202), not carried out.
    expect(executed.seen).toEqual([]);

    // A command from the API runs, after what the journal holds before it (journal order).
    const ack: Command = { type: 'ack', incidentId: 'INC-1', by: 'ana', at: '2026-11-23T01:00:05.000Z' };
    await intake.submit(ack);
    expect(executed.seen.map((c) => (c.type === 'ingest' ? c.delivery.receivedAt : c.type))).toEqual([
      delivery(1).receivedAt,
      delivery(2).receivedAt,
      'ack',
    ]);

    await intake.submitRaw(delivery(3));
    await sleep(300);
    expect(executed.seen).toHaveLength(3);
    intake.hold(false);
    await intake.idle();
    expect(executed.seen).toHaveLength(4);
    await intake.close();
  });
});

describe('a snapshot of a large state', () => {
  it('is serialised an incident at a time, not in one JSON.stringify, and read back whole', async () => {
    const dir = journalDir();
    const alert = (i: number, a: number) => ({ fingerprint: `${i}-${a}`, summary: 's'.repeat(200) });
    const state = {
      lastIncidentNumber: 400,
      incidents: Array.from({ length: 400 }, (_, i) => ({
        id: `INC-${i}`,
        alerts: Array.from({ length: 50 }, (_, a) => alert(i, a)),
      })),
      keys: [['k', 'INC-1']],
    };
    const whole = JSON.stringify({ seq: 9, state }).length;
    const journal = new FileJournal<typeof state, JournalRecord>(dir, quiet);
    await journal.load();
    const stringify = vi.spyOn(JSON, 'stringify');
    let longest = 0;
    try {
      await journal.snapshot(state, 9);
      for (const r of stringify.mock.results)
        if (typeof r.value === 'string') longest = Math.max(longest, r.value.length);
    } finally {
      stringify.mockRestore();
    }
    // The longest text made at once is one incident's, a 400th of the state.
    expect(longest).toBe(Math.max(...state.incidents.map((i) => JSON.stringify(i).length)));
    expect(longest * 100).toBeLessThan(whole);
    await journal.close();

    const again = new FileJournal<typeof state, JournalRecord>(dir, quiet);
    expect((await again.load()).snapshot).toEqual(state);
    expect(readFileSync(join(dir, 'snapshot.json'), 'utf8')).toBe(JSON.stringify({ seq: 9, state }));
    await again.close();
  });

  it('is finished before the intake closes', async () => {
    const dir = journalDir();
    // A large state on disk, restored at recovery and snapshotted again after the next command.
    const seed = new FileJournal<MemorySnapshot, JournalRecord>(dir, quiet);
    await seed.load();
    const incidents = Array.from({ length: 400 }, (_, i) => ({ id: `INC-${i}`, note: 'n'.repeat(12_000) }));
    await seed.snapshot({ ...new MemoryStore().snapshot(), incidents } as unknown as MemorySnapshot, 0);
    await seed.close();

    const journal = new FileJournal<MemorySnapshot, JournalRecord>(dir, quiet);
    const intake = new EmbeddedIntake(journal, new MemoryStore(), recording().run, quiet, {
      snapshotAfterBytes: 1,
      decodePayload: decodeWebhookPayload,
    });
    await intake.recover(recording().run);
    const ack: Command = { type: 'ack', incidentId: 'INC-1', by: 'ana', at: '2026-11-23T01:00:05.000Z' };
    await intake.submit(ack);
    // The command is carried out and a snapshot of some 4.8 MB has begun; closing waits for it.
    await intake.close();
    const written = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as {
      seq: number;
      state: MemorySnapshot;
    };
    expect(written.seq).toBe(1);
    expect(written.state.incidents).toHaveLength(400);
    expect(readdirSync(dir)).not.toContain('snapshot.json.tmp');
  });
});
