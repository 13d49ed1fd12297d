import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, portAccepts } from './free-port.js';
import { removeScratchDir, scratchDir, trackChild } from './scratch.js';

export interface RedisInstance {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/**
 * How the bench runs Redis: the append-only file on (`appendfsync everysec`, the default), snapshots
 * off, and the file rewritten only once it passed 1 GB, as the README's Production mode section
 * recommends. With Redis's default of 64 MB every storm of the bench took the file past it, and the
 * child Redis forks to rewrite it competed with the bridge for the same two cores. Extra arguments
 * come after these, and win (`--redis-args="--auto-aof-rewrite-min-size 64mb"` for the default).
 */
export const REDIS_ARGS: readonly string[] = [
  '--save',
  '',
  '--appendonly',
  'yes',
  '--auto-aof-rewrite-min-size',
  '1gb',
];

/** A private `redis-server` on a free port of 127.0.0.1, run as `REDIS_ARGS` say, in a temp dir. */
export async function startRedis(extraArgs: readonly string[] = []): Promise<RedisInstance> {
  const port = await freePort();
  const dir = scratchDir('redis');
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...REDIS_ARGS, ...extraArgs],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  trackChild(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  const spawnError = new Promise<Error>((ok) => child.once('error', ok));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const failed = await Promise.race([spawnError, sleep(50, null)]);
    if (failed) throw new Error(`redis-server could not start: ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not listen within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    if (await portAccepts(port)) break;
  }
  if (child.pid === undefined) throw new Error('redis-server has no pid');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      removeScratchDir(dir);
    },
  };
}

/** `INFO <section>` over a raw socket (inline command, one bulk-string reply), as `field: value`. */
export function redisInfo(port: number, section: string): Promise<Record<string, string>> {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(5000, () => socket.destroy(new Error('redis INFO timed out')));
    let reply = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      reply = Buffer.concat([reply, d]);
      const headerEnd = reply.indexOf('\r\n');
      if (headerEnd === -1) return;
      const header = reply.subarray(0, headerEnd).toString();
      if (!header.startsWith('$')) {
        socket.destroy();
        fail(new Error(`unexpected INFO reply: ${header}`));
        return;
      }
      const length = Number(header.slice(1));
      if (reply.length < headerEnd + 2 + length) return;
      socket.end();
      const fields: Record<string, string> = {};
      for (const line of reply
        .subarray(headerEnd + 2, headerEnd + 2 + length)
        .toString()
        .split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1);
      }
      ok(fields);
    });
    socket.on('error', fail);
    socket.write(`INFO ${section}\r\n`);
  });
}
