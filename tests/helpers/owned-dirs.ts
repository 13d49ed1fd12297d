import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OWNER_FILE = 'owner.pid';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * vitest may end a test file's process with SIGTERM, which skips exit handlers: a server started by the
 * test dies with it (setpriv) but its directory stays. Directories whose test process is gone are removed.
 */
function removeOrphanDirs(prefix: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
    } catch {
      continue;
    }
    if (Number.isInteger(owner) && !alive(owner)) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A temporary directory `<prefix>…` (or `dir`) marked as this test process's, after removing those
 * left by test processes that are gone.
 */
export function ownedTempDir(prefix: string, dir?: string): string {
  removeOrphanDirs(prefix);
  const owned = dir ?? mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(owned, OWNER_FILE), String(process.pid));
  return owned;
}
