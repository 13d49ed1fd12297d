import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface BridgeCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** `dist`: the build, as in production; `tsx`: the sources, when they do not build. */
  readonly runner: 'dist' | 'tsx';
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function mtimeOrZero(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * How to run the bridge: `node dist/main.js`, built first when `dist/` is missing or older than
 * `src/`. Should the build fail, the sources run through tsx and the result says so.
 */
export function bridgeCommand(root: string, log: (line: string) => void): BridgeCommand {
  const built = join(root, 'dist', 'main.js');
  if (mtimeOrZero(built) < newestMtime(join(root, 'src'))) {
    log('building the bridge (npm run build): dist/ is missing or older than src/');
    const build = spawnSync('npm', ['run', 'build', '--silent'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (build.status !== 0) {
      log(`build failed, running the sources through tsx instead:\n${build.stdout}${build.stderr}`);
      return {
        command: process.execPath,
        args: ['--import', 'tsx', join(root, 'src', 'main.ts')],
        runner: 'tsx',
      };
    }
  }
  return { command: process.execPath, args: [built], runner: 'dist' };
}
