import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LoadTarget {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly path: string;
}

export interface LoadResult {
  readonly requests: number;
  /** Requests answered 202. */
  readonly accepted: number;
  /** Alerts in requests answered 202. */
  readonly acceptedAlerts: number;
  /** Status codes other than 202 and transport errors, with their counts. */
  readonly failures: Readonly<Record<string, number>>;
  /** From the first request sent to the last answer. */
  readonly seconds: number;
  /** One latency per request, ms, sorted. */
  readonly latenciesMs: readonly number[];
}

const REQUEST_TIMEOUT_MS = 30_000;

export interface Answer {
  readonly status: number | 'error';
}

const HEAD_END = Buffer.from('\r\n\r\n');
const LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection, one request at a time. The load generator shares the machine's
 * cores with the server it measures, so it does as little as it can: the request head is written as
 * one string beside the body, and of the answer only the status, the length and `Connection: close`
 * are read. Node's own HTTP client cost about twice the CPU for the same pass (see bench/README.md).
 */
export class Connection {
  private readonly socket: Socket;
  private received: Buffer | null = null;
  private waiting: ((answer: Answer) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket = connect(port, host);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', () => this.fail());
    this.socket.on('close', () => this.fail());
  }

  /** False once the server closed it or asked to: take a new one. */
  get usable(): boolean {
    return !this.closed;
  }

  post(path: string, body: Buffer): Promise<Answer> {
    if (this.closed) return Promise.resolve({ status: 'error' });
    return new Promise((ok) => {
      this.waiting = ok;
      this.timer = setTimeout(() => this.socket.destroy(), REQUEST_TIMEOUT_MS);
      this.socket.cork();
      this.socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        'latin1',
      );
      this.socket.write(body);
      this.socket.uncork();
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    const buf = this.received ? Buffer.concat([this.received, chunk]) : chunk;
    this.received = buf;
    const headEnd = buf.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = buf.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    let end: number;
    if (length) {
      end = headEnd + 4 + Number(length[1]);
      if (buf.length < end) return;
    } else if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
      const last = buf.indexOf(LAST_CHUNK, headEnd);
      if (last < 0) return;
      end = last + LAST_CHUNK.length;
    } else end = headEnd + 4;
    this.received = buf.length > end ? buf.subarray(end) : null;
    if (/\r\nconnection:[ \t]*close/i.test(head)) this.close();
    this.answer({ status: Number(head.slice(9, 12)) || 'error' });
  }

  private fail(): void {
    this.closed = true;
    this.answer({ status: 'error' });
  }

  private answer(answer: Answer): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(answer);
  }
}

/**
 * Up to `max` keep-alive connections to one server; a request waits for a free one beyond that. A
 * connection the server closed is replaced by a new one.
 */
export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly queued: ((c: Connection) => void)[] = [];
  private open = 0;
  private readonly host: string;
  private readonly port: number;

  constructor(
    url: string,
    private readonly max: number,
  ) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
  }

  async post(path: string, body: Buffer): Promise<Answer> {
    const connection = await this.take();
    const answer = await connection.post(path, body);
    this.give(connection);
    return answer;
  }

  close(): void {
    for (const c of this.idle) c.close();
    this.idle.length = 0;
  }

  private take(): Promise<Connection> {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (c.usable) return Promise.resolve(c);
      this.open--;
    }
    if (this.open < this.max) {
      this.open++;
      return Promise.resolve(new Connection(this.host, this.port));
    }
    return new Promise((ok) => this.queued.push(ok));
  }

  private give(connection: Connection): void {
    let c = connection;
    if (!c.usable) c = new Connection(this.host, this.port);
    const next = this.queued.shift();
    if (next) next(c);
    else this.idle.push(c);
  }
}

class Tally {
  accepted = 0;
  acceptedAlerts = 0;
  readonly failures: Record<string, number> = {};
  readonly latencies: number[] = [];

  record(answer: Answer, alerts: number, ms: number): void {
    this.latencies.push(ms);
    if (answer.status === 202) {
      this.accepted++;
      this.acceptedAlerts += alerts;
    } else {
      const k = String(answer.status);
      this.failures[k] = (this.failures[k] ?? 0) + 1;
    }
  }

  result(seconds: number): LoadResult {
    return {
      requests: this.latencies.length,
      accepted: this.accepted,
      acceptedAlerts: this.acceptedAlerts,
      failures: this.failures,
      seconds,
      latenciesMs: this.latencies.sort((a, b) => a - b),
    };
  }
}

/**
 * Closed loop: `concurrency` senders over keep-alive connections, each posting the next body as soon
 * as its previous one is answered. Measures how fast the server takes a storm.
 */
export async function sendClosedLoop(
  target: LoadTarget,
  bodies: readonly Buffer[],
  alertsPerBody: readonly number[],
  concurrency: number,
): Promise<LoadResult> {
  const pool = new ConnectionPool(target.url, concurrency);
  const tally = new Tally();
  let next = 0;
  const started = performance.now();
  const sender = async (): Promise<void> => {
    while (next < bodies.length) {
      const i = next++;
      const body = bodies[i] as Buffer;
      const t0 = performance.now();
      const answer = await pool.post(target.path, body);
      tally.record(answer, alertsPerBody[i] ?? 0, performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, sender));
  const seconds = (performance.now() - started) / 1000;
  pool.close();
  return tally.result(seconds);
}

/**
 * Open loop: body `i` is due at `i / rate` seconds and is sent then, whether or not earlier ones were
 * answered. Latency counts from the due time, so a server that falls behind is charged for the
 * queueing it causes (no coordinated omission). At most `maxInFlight` connections; beyond that, due
 * requests wait for a free one, and that wait counts too.
 */
export async function sendPaced(
  target: LoadTarget,
  bodies: readonly Buffer[],
  alertsPerBody: readonly number[],
  rate: number,
  maxInFlight: number,
): Promise<LoadResult> {
  const pool = new ConnectionPool(target.url, maxInFlight);
  const tally = new Tally();
  const started = performance.now();
  const answers: Promise<void>[] = [];
  let released = 0;
  await new Promise<void>((done) => {
    const release = (): void => {
      const due = Math.min(bodies.length, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      for (; released < due; released++) {
        const i = released;
        const dueAt = started + (i * 1000) / rate;
        answers.push(
          pool.post(target.path, bodies[i] as Buffer).then((answer) => {
            tally.record(answer, alertsPerBody[i] ?? 0, performance.now() - dueAt);
          }),
        );
      }
      if (released < bodies.length) setTimeout(release, 1);
      else done();
    };
    release();
  });
  await Promise.all(answers);
  const seconds = (performance.now() - started) / 1000;
  pool.close();
  return tally.result(seconds);
}

/** The `q` quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}
