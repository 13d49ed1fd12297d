import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../app/ports.js';
import { jsonPieces } from './json-pieces.js';

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Where a record's payload lies on disk: its segment (by first sequence number), offset and length. */
export interface PayloadPlace {
  readonly segment: number;
  readonly offset: number;
  readonly length: number;
}

/** A record waiting to be written: its line in parts, the part that is its payload if any. */
interface PendingLine {
  readonly parts: readonly (string | Buffer)[];
  readonly payloadPart?: number;
  readonly placed?: (place: PayloadPlace) => void;
}

export interface LoadedJournal<S, R> {
  readonly snapshot: S | null;
  /** Records written after the snapshot, in the order they were appended. */
  readonly records: R[];
}

/** `json` with its line breaks (whitespace between tokens in JSON) turned into spaces; copied only if it has any. */
function oneLine(json: Buffer): Buffer {
  if (json.indexOf(0x0a) === -1 && json.indexOf(0x0d) === -1) return json;
  const copy = Buffer.from(json);
  for (let i = 0; i < copy.length; i++) if (copy[i] === 0x0a || copy[i] === 0x0d) copy[i] = 0x20;
  return copy;
}

/**
 * Characters of a snapshot written at a time; other work (webhooks) runs between two writes. Written
 * whole, with one `JSON.stringify`, the snapshot of about 13.5 MB each bridge of the bench takes held
 * the event loop for 48-57 ms; in slices, for at most 3.6-5.0 ms at a time.
 */
const SNAPSHOT_SLICE_CHARS = 1 << 20;

const SEGMENT = /^journal-(\d{12})\.ndjson$/;
const segmentName = (firstSeq: number): string => `journal-${String(firstSeq).padStart(12, '0')}.ndjson`;

/**
 * An append-only journal of records, one JSON line each, in segments named by their first sequence
 * number, plus a snapshot. Appends made in the same turn of the event loop are written and flushed
 * to disk together (group commit); `append` resolves once its record is on disk. A torn last line,
 * left by a crash in the middle of a write, is cut off when the journal is opened.
 */
export class FileJournal<S, R> {
  private handle: FileHandle | null = null;
  private seq = 0;
  private pending: PendingLine[] = [];
  /** The first sequence number of the segment being written. */
  private segment = 0;
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private broken: unknown = null;
  private bytesInSegment = 0;
  private segments: number[] = [];
  /** Writes and segment switches, one at a time. */
  private io: Promise<unknown> = Promise.resolve();

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.io.then(fn);
    this.io = run.catch(() => undefined);
    return run;
  }

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Reads what is on disk; call once before the first append. */
  async load(): Promise<LoadedJournal<S, R>> {
    mkdirSync(this.dir, { recursive: true });
    rmSync(join(this.dir, 'snapshot.json.tmp'), { force: true });
    let snapshot: S | null = null;
    let snapshotSeq = 0;
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, 'snapshot.json'), 'utf8')) as {
        seq: number;
        state: S;
      };
      snapshot = parsed.state;
      snapshotSeq = parsed.seq;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.segments = readdirSync(this.dir)
      .map((f) => SEGMENT.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const records: R[] = [];
    this.seq = snapshotSeq;
    for (const [i, first] of this.segments.entries()) {
      const file = join(this.dir, segmentName(first));
      const text = readFileSync(file, 'utf8');
      let offset = 0;
      while (offset < text.length) {
        const nl = text.indexOf('\n', offset);
        const line = nl === -1 ? null : text.slice(offset, nl);
        let rec: { seq: number; rec: R } | null = null;
        try {
          rec = line === null ? null : (JSON.parse(line) as { seq: number; rec: R });
        } catch {
          rec = null;
        }
        if (rec === null) {
          const last = i === this.segments.length - 1;
          this.logger.warn('journal tail cut', {
            segment: first,
            atByte: Buffer.byteLength(text.slice(0, offset)),
            last,
          });
          truncateSync(file, Buffer.byteLength(text.slice(0, offset)));
          break;
        }
        if (rec.seq > this.seq) {
          records.push(rec.rec);
          this.seq = rec.seq;
        }
        offset = (nl === -1 ? text.length : nl) + 1;
      }
    }
    await this.openSegment(this.segments.at(-1) ?? this.seq + 1);
    return { snapshot, records };
  }

  private async openSegment(firstSeq: number): Promise<void> {
    await this.handle?.close();
    this.handle = await open(join(this.dir, segmentName(firstSeq)), 'a');
    this.segment = firstSeq;
    this.bytesInSegment = (await this.handle.stat()).size;
    if (!this.segments.includes(firstSeq)) this.segments.push(firstSeq);
  }

  /** Resolves once the record is flushed to disk; records keep the order of the calls. */
  append(record: R): Promise<void> {
    return this.enqueue({ parts: [`${JSON.stringify({ seq: this.seq + 1, rec: record })}\n`] });
  }

  /**
   * Appends `record` (an object with at least one field) with `json` as its `payload` field: a JSON
   * text already checked (a webhook body as the sender wrote it), written as it is rather than parsed
   * and serialised again; `load` gives the record back with it parsed. Its line breaks can only be
   * whitespace between tokens (JSON has none inside strings), so they become spaces and the record
   * stays on one line. Resolves once on disk, with where the payload lies for `readPayload`: so the
   * caller need not keep it in memory meanwhile.
   */
  appendPayload(record: R, json: Buffer): Promise<PayloadPlace> {
    const line = JSON.stringify({ seq: this.seq + 1, rec: record });
    let place: PayloadPlace | null = null;
    return this.enqueue({
      parts: [`${line.slice(0, -2)},"payload":`, oneLine(json), '}}\n'],
      payloadPart: 1,
      placed: (p) => {
        place = p;
      },
    }).then(() => place as PayloadPlace);
  }

  /** The payload written by `appendPayload`, read back from its segment. */
  async readPayload(place: PayloadPlace): Promise<Buffer> {
    const fh = await open(join(this.dir, segmentName(place.segment)), 'r');
    try {
      const buffer = Buffer.allocUnsafe(place.length);
      const { bytesRead } = await fh.read(buffer, 0, place.length, place.offset);
      if (bytesRead !== place.length) throw new Error(`journal payload cut short at ${place.offset}`);
      return buffer;
    } finally {
      await fh.close();
    }
  }

  private enqueue(line: PendingLine): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    this.seq += 1;
    this.pending.push(line);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) this.flushing = this.flushLoop();
    return done;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get segmentBytes(): number {
    return this.bytesInSegment;
  }

  get healthy(): boolean {
    return this.broken === null && this.handle !== null;
  }

  private async flushLoop(): Promise<void> {
    // Let every append of this turn of the event loop join the batch.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const lines = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        const parts: Buffer[] = [];
        const places: [PendingLine, number, number][] = [];
        let at = 0;
        for (const line of lines) {
          for (const [i, part] of line.parts.entries()) {
            const bytes = typeof part === 'string' ? Buffer.from(part) : part;
            if (i === line.payloadPart) places.push([line, at, bytes.length]);
            parts.push(bytes);
            at += bytes.length;
          }
        }
        const data = Buffer.concat(parts, at);
        await this.serial(async () => {
          const handle = this.handle;
          if (!handle) throw new Error('journal is not open');
          const base = this.bytesInSegment;
          await handle.write(data);
          await handle.datasync();
          this.bytesInSegment += data.length;
          for (const [line, offset, length] of places) {
            line.placed?.({ segment: this.segment, offset: base + offset, length });
          }
        });
        for (const w of waiters) w.resolve();
      } catch (e) {
        this.broken = e;
        this.logger.error('journal write failed', { error: String(e) });
        for (const w of waiters) w.reject(e);
        for (const w of this.waiters) w.reject(e);
        this.waiters = [];
        this.pending = [];
      }
    }
    this.flushing = null;
  }

  /**
   * Writes `state` as the snapshot of everything up to `seq`, starts a new segment and removes the
   * segments the snapshot covers. Records appended but not yet carried out stay in their segment.
   */
  async snapshot(state: S, seq: number): Promise<void> {
    const tmp = join(this.dir, 'snapshot.json.tmp');
    const fh = await open(tmp, 'w');
    try {
      // The state's lists element by element (depth 3: the record, the state, its lists), in slices.
      // Commands may run between two slices: they replace the state's objects, never change them.
      let text = '';
      for (const piece of jsonPieces({ seq, state }, 3)) {
        text += piece;
        if (text.length >= SNAPSHOT_SLICE_CHARS) {
          await fh.write(text);
          text = '';
        }
      }
      await fh.write(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    renameSync(tmp, join(this.dir, 'snapshot.json'));
    const dirHandle = await open(this.dir, 'r');
    await dirHandle.sync().finally(() => dirHandle.close());
    await this.serial(() => this.openSegment(this.seq + 1));
    // A segment is covered when every record in it is at or below `seq`: when the next one starts at or before seq + 1.
    const keep: number[] = [];
    for (const [i, first] of this.segments.entries()) {
      const next = this.segments[i + 1];
      if (next !== undefined && next - 1 <= seq) rmSync(join(this.dir, segmentName(first)), { force: true });
      else keep.push(first);
    }
    this.segments = keep;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.io;
    await this.handle?.close();
    this.handle = null;
  }
}
