import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface BridgeCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** `dist`: the build, as in production; `tsx`: the sources, when they do not build. */
  readonly runner: 'dist' | 'tsx';
  /** Node's own flags, as `npm start` gives them. */
  readonly nodeFlags: readonly string[];
}

/**
 * The flags `npm start` gives node before the bridge's script (`node [flags] dist/main.js`), so that the
 * bench measures the bridge as it is started in production (the image runs the same command).
 */
export function startFlags(startScript: string): string[] {
  const words = startScript.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') {
    throw new Error(`expected npm start to be "node [flags] dist/main.js", got "${startScript}"`);
  }
  return words.slice(1, -1);
}

function startScript(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start;
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
 * How to run the bridge: `node [flags] dist/main.js`, with the flags of npm start unless others are
 * given, built first when `dist/` is missing or older than `src/`. Should the build fail, the sources
 * run through tsx (with the same flags) and the result says so.
 */
export function bridgeCommand(
  root: string,
  log: (line: string) => void,
  flags: readonly string[] | null = null,
): BridgeCommand {
  const nodeFlags = flags ?? startFlags(startScript(root));
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
        args: [...nodeFlags, '--import', 'tsx', join(root, 'src', 'main.ts')],
        runner: 'tsx',
        nodeFlags,
      };
    }
  }
  return { command: process.execPath, args: [...nodeFlags, built], runner: 'dist', nodeFlags };
}
