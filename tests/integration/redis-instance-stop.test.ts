import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/adapters/queue/delivery-jobs.js';
import { startTestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';
import { freePort, type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import {
  alertStorm,
  expectStormApplied,
  inBatches,
  type Posted,
  postDelivery,
  type Storm,
  waitForQueueDrain,
} from './redis-storm.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface ChildBridge {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
}

/** The bridge as production runs it: its own node process, configured by its environment. */
async function spawnBridge(env: Record<string, string>): Promise<ChildBridge> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bridge exited at start: ${stderr}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { url, child, exited, stderr: () => stderr };
    if (Date.now() > deadline) throw new Error(`bridge not ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a bridge instance stopping in the middle of a storm', () => {
  let redis: RedisServer;
  let queue: Queue;
  const dataDir = mkdtempSync(join(tmpdir(), 'ib-stop-'));
  const running: ChildBridge[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const b of running) b.child.kill('SIGKILL');
    await queue?.close();
    await redis.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const envFor = async (prefix: string): Promise<Record<string, string>> => ({
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    RULES_DIR: join(ROOT, 'rules'),
    LOG_LEVEL: 'error',
    // One delivery at a time, so a backlog builds up behind the worker.
    WORKER_CONCURRENCY: '1',
    WORKER_LOCK_DURATION: '2s',
    SHUTDOWN_TIMEOUT: '10s',
  });
  const start = async (env: Record<string, string>): Promise<ChildBridge> => {
    const b = await spawnBridge(env);
    running.push(b);
    return b;
  };
  const unfinished = async (prefix: string): Promise<{ waiting: number; active: number }> => {
    queue = new Queue(QUEUE_NAMES.deliveries, { connection: { port: redis.port }, prefix });
    const c = await queue.getJobCounts('wait', 'active');
    await queue.close();
    return { waiting: c.wait ?? 0, active: c.active ?? 0 };
  };

  /** Sends the storm; `stop` runs once `after` deliveries got a 202. Answers the outcome per delivery. */
  const storm = async (
    s: Storm,
    url: string,
    after: number,
    stop: () => Promise<void>,
  ): Promise<Map<number, Posted>> => {
    const answers = new Map<number, Posted>();
    let accepted = 0;
    let stopping: Promise<void> | null = null;
    await inBatches(s.deliveries, 8, async (d) => {
      const posted = await postDelivery(url, d.payload);
      answers.set(d.index, posted);
      if (posted.status === 202) accepted += 1;
      if (accepted >= after && stopping === null) stopping = stop();
    });
    await stopping;
    return answers;
  };

  /** Like a sender retrying: what did not get a 202 is sent again (to `url`), what did is not. */
  const resendRefused = async (s: Storm, answers: Map<number, Posted>, url: string): Promise<void> => {
    for (const d of s.deliveries) {
      if (answers.get(d.index)?.status === 202) continue;
      expect((await postDelivery(url, d.payload)).status).toBe(202);
    }
  };

  it('loses nothing that got a 202 when an instance is SIGKILLed and restarted', async () => {
    const env = await envFor('sigkill');
    const first = await start(env);
    const s = alertStorm({ alerts: 2_000, deliveries: 200, incidents: 50 });
    let left = { waiting: 0, active: 0 };
    const answers = await storm(s, first.url, 80, async () => {
      first.child.kill('SIGKILL');
      await first.exited;
      left = await unfinished('sigkill');
    });
    const statuses = [...answers.values()].map((a) => a.status);
    expect(statuses.filter((x) => x === 202).length).toBeGreaterThanOrEqual(80);
    expect(statuses.filter((x) => x !== 202).length).toBeGreaterThan(0);
    // The dead instance left queued (and possibly half-done) deliveries behind.
    expect(left.waiting + left.active).toBeGreaterThan(0);

    const second = await start(env);
    await resendRefused(s, answers, second.url);
    await waitForQueueDrain(redis.url, 'sigkill');
    await expectStormApplied(second.url, s);
  });

  it('on SIGTERM stops taking webhooks, finishes its running delivery, exits 0 and leaves the rest queued', async () => {
    const env = await envFor('sigterm');
    const first = await start(env);
    const s = alertStorm({ alerts: 2_000, deliveries: 200, incidents: 50 });
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let left = { waiting: 0, active: 0 };
    let tookMs = 0;
    const answers = await storm(s, first.url, 100, async () => {
      const t0 = performance.now();
      first.child.kill('SIGTERM');
      exit = await first.exited;
      tookMs = performance.now() - t0;
      left = await unfinished('sigterm');
    });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(10_000);
    // Nothing was abandoned mid-way (no job still held), and the backlog stayed in Redis for others.
    expect(left.active).toBe(0);
    expect(left.waiting).toBeGreaterThan(0);
    const statuses = new Set([...answers.values()].map((a) => a.status));
    for (const status of statuses) expect([0, 202, 503]).toContain(status);

    const second = await start(env);
    await resendRefused(s, answers, second.url);
    await waitForQueueDrain(redis.url, 'sigterm');
    await expectStormApplied(second.url, s);
  });

  it('answers the requests in hand, refuses the next with 503 and closes quiet keep-alive connections', async () => {
    const bridge = await startTestBridge({
      mode: 'redis',
      redisUrl: redis.url,
      env: { REDIS_PREFIX: 'drain' },
    });
    const port = Number(new URL(bridge.url).port);
    const body = JSON.stringify(fixture('alertmanager', '04-firing-group-3'));
    const request = `POST /webhooks/alertmanager HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const open = async () => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      await new Promise((r) => socket.once('connect', r));
      const conn = { socket, received: '', closed: new Promise((r) => socket.once('close', r)) };
      socket.on('data', (chunk) => {
        conn.received += chunk.toString();
      });
      return conn;
    };
    const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    // Two senders are half-way through a request when shutdown begins.
    const busy = await open();
    const quiet = await open();
    for (const c of [busy, quiet]) c.socket.write(request.slice(0, -10));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    const closing = bridge.close();
    await new Promise((r) => setTimeout(r, 100));
    // One finishes its request and sends another at once; the other finishes and then says nothing.
    busy.socket.write(request.slice(-10) + request);
    quiet.socket.write(request.slice(-10));
    await Promise.all([busy.closed, quiet.closed, closing]);

    expect(statuses(busy.received)).toEqual(['202', '503']);
    const [answered, refused] = busy.received.split(/(?=HTTP\/1\.1 503)/);
    expect(answered?.toLowerCase()).toContain('connection: keep-alive');
    expect(refused?.toLowerCase()).toContain('connection: close');
    expect(refused).toContain('"error":"unavailable"');
    expect(statuses(quiet.received)).toEqual(['202']);
    // The quiet keep-alive connection did not hold the shutdown until SHUTDOWN_TIMEOUT (25 s).
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});
