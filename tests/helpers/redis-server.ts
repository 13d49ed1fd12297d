import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { ownedTempDir } from './owned-dirs.js';

export interface RedisServerOptions {
  /** `always` fsyncs the append-only file before each answer; `everysec` once a second. */
  readonly appendfsync?: 'always' | 'everysec';
  /** Require this password from clients (`requirepass`). */
  readonly password?: string;
  /** Start as a replica of the server on this port. */
  readonly replicaOf?: number;
  /** Run as a Sentinel watching this master (named `name`) instead of as a data server. */
  readonly sentinelFor?: { readonly name: string; readonly port: number };
}

/** A real `redis-server` (the Debian package) or Sentinel, on a free port, with its data in a temporary directory. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Stops the server: SIGKILL to crash it, SIGTERM for a clean shutdown. Keeps its directory. */
  stop(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts it again on the same port and directory: it reloads its append-only file. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  remove(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';
/**
 * util-linux's setpriv makes the kernel kill redis-server when the test process dies, however it
 * dies (vitest may kill a test file's process rather than let it exit).
 */
const DIES_WITH_PARENT = spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Answers once the server is up (PONG or NOAUTH, not LOADING, not refused), or throws after `timeoutMs`. */
async function waitForPong(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const reply = await new Promise<string>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      let data = '';
      socket.setTimeout(500, () => socket.destroy());
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        data += chunk.toString();
        if (data.includes('\r\n')) socket.end();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', () => undefined);
    });
    // A server with a password answers NOAUTH once it is up (and LOADING while it reads its files).
    if (reply.startsWith('+PONG') || reply.startsWith('-NOAUTH')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
}

const DIR_PREFIX = 'ib-redis-';
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = ownedTempDir(DIR_PREFIX);
  const port = await freePort();
  let child: ChildProcess | null = null;
  // A test file's process may end without calling remove(): take the server and its directory along.
  const killOnExit = () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);

  const sentinelConf = join(dir, 'sentinel.conf');
  if (options.sentinelFor) {
    // Sentinel rewrites this file with what it learns; it must be writable.
    writeFileSync(
      sentinelConf,
      [
        `sentinel monitor ${options.sentinelFor.name} 127.0.0.1 ${options.sentinelFor.port} 1`,
        `sentinel down-after-milliseconds ${options.sentinelFor.name} 1000`,
        '',
      ].join('\n'),
    );
  }

  const launch = async (): Promise<void> => {
    const role = options.sentinelFor ? [sentinelConf, '--sentinel'] : [];
    const data = options.sentinelFor
      ? []
      : [
          '--appendonly',
          'yes',
          '--appendfsync',
          options.appendfsync ?? 'everysec',
          '--save',
          '',
          ...(options.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(options.replicaOf)]),
          ...(options.password === undefined ? [] : ['--requirepass', options.password]),
        ];
    const args = [
      ...role,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      ...data,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      '--logfile',
      '',
    ];
    const c = DIES_WITH_PARENT
      ? spawn('setpriv', ['--pdeathsig', 'KILL', BINARY, ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
      : spawn(BINARY, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    // The test process may end while the server runs; the exit handler above then stops it.
    c.unref();
    child = c;
    await new Promise<void>((resolve, reject) => {
      c.once('spawn', () => resolve());
      c.once('error', (e) =>
        reject(new Error(`cannot start ${BINARY} (apt-get install redis-server): ${e}`)),
      );
    });
    await waitForPong(port, c);
  };

  const stop = async (signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop,
    restart: launch,
    async remove() {
      await stop('SIGKILL');
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
