import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, portAccepts } from './free-port.js';
import { trackChild } from './scratch.js';

export interface ChildService {
  readonly url: string;
  readonly pid: number;
  /** The last lines it printed, for error messages. */
  readonly lines: readonly string[];
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface ChildServiceSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to a minimal environment; `HOST` and `PORT` are set here. */
  readonly env: Readonly<Record<string, string>>;
}

const START_TIMEOUT_MS = 30_000;
const KEPT_LINES = 50;

/**
 * Starts an HTTP server as a child process on a port picked here and waits until it listens. A JSON
 * log line `{"message": "... started", "url": ...}` gives the URL when the server prints one; with
 * `LOG_LEVEL=warn` the bridge does not, so the port is chosen here rather than with `PORT=0`.
 */
export async function startChildService(spec: ChildServiceSpec): Promise<ChildService> {
  const port = await freePort();
  const child: ChildProcess = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? '', ...spec.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const lines: string[] = [];
  let announced: string | null = null;
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
    if (!line.startsWith('{')) return;
    try {
      const parsed = JSON.parse(line) as { message?: unknown; url?: unknown };
      if (
        typeof parsed.message === 'string' &&
        parsed.message.endsWith(' started') &&
        typeof parsed.url === 'string'
      ) {
        announced = parsed.url;
      }
    } catch {
      // not a JSON log line
    }
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', keep);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', keep);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (announced === null) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${spec.name} exited (${child.exitCode ?? child.signalCode}):\n${lines.join('\n')}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${spec.name} did not listen within ${START_TIMEOUT_MS / 1000} s:\n${lines.join('\n')}`,
      );
    }
    if (await portAccepts(port)) break;
    await sleep(50);
  }
  const url: string = announced ?? `http://127.0.0.1:${port}`;
  if (child.pid === undefined) throw new Error(`${spec.name} has no pid`);
  const pid = child.pid;

  return {
    url,
    pid,
    lines,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
