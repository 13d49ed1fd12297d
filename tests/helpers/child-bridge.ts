import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ChildBridge {
  readonly url: string;
  readonly process: ChildProcess;
  /** Log lines the child printed so far. */
  readonly lines: string[];
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Runs `src/main.ts` in a child process, as `npm start` would, and waits for it to listen. */
export async function startChildBridge(env: Record<string, string>): Promise<ChildBridge> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`bridge did not start: ${lines.join('\n')}`)), 20_000);
    const onLine = (line: string) => {
      lines.push(line);
      try {
        const parsed = JSON.parse(line) as { message?: string; url?: string };
        if (parsed.message === 'bridge started' && parsed.url) {
          clearTimeout(timer);
          ok(parsed.url);
        }
      } catch {
        // not a log line
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`bridge exited with ${code}: ${lines.join('\n')}`));
    });
  });
  return {
    url,
    process: child,
    lines,
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
