import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ownedTempDir } from './owned-dirs.js';
import { freePort } from './redis-server.js';

/**
 * util-linux's setpriv makes the kernel kill the daemon when the test process dies, however it dies
 * (vitest may kill a test file's process rather than let it exit).
 */
const DIES_WITH_PARENT = spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;

export interface HttpDaemonSpec {
  /** The program, e.g. `prometheus-alertmanager`. */
  readonly binary: string;
  /** Debian package that provides it, named in the error when it is missing. */
  readonly debianPackage: string;
  /** Prefix of the temporary directory. */
  readonly name: string;
  /** Its arguments, given its port and temporary directory. */
  readonly args: (port: number, dir: string) => string[];
  /** Path answering 200 once the daemon is ready (`/-/ready`). */
  readonly readyPath: string;
  /** Reuse this port (a restart); a free one otherwise. */
  readonly port?: number;
  /** Reuse this directory (a restart); a new temporary one otherwise. */
  readonly dir?: string;
}

/** A real daemon from a Debian package, listening on loopback, with its files in a temporary directory. */
export interface HttpDaemon {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** What it printed on stderr so far (its log). */
  readonly log: () => string;
  /** Stops it (SIGTERM, SIGKILL after 5 s) and removes its directory unless `keepDir`. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${url}: the daemon exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms:\n${log()}`);
}

export async function startHttpDaemon(spec: HttpDaemonSpec): Promise<HttpDaemon> {
  const prefix = `ib-${spec.name}-`;
  const dir = ownedTempDir(prefix, spec.dir);
  const port = spec.port ?? (await freePort());
  const args = spec.args(port, dir);
  const child = DIES_WITH_PARENT
    ? spawn('setpriv', ['--pdeathsig', 'KILL', spec.binary, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(spec.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep the tail only: a chatty daemon must not grow the test's memory.
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const log = () => stderr;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // A test file's process may end without calling stop(): take the daemon and its directory along.
  const killOnExit = () => {
    child.kill('SIGKILL');
    if (spec.dir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);
  child.unref();
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (e) =>
      reject(new Error(`cannot start ${spec.binary} (apt-get install ${spec.debianPackage}): ${e}`)),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (options?: { keepDir?: boolean }) => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(hard);
    }
    if (!options?.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${url}${spec.readyPath}`, child, log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, url, dir, log, stop };
}
