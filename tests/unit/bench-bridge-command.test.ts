import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startFlags } from '../../bench/bridge-command.js';
import { benchOptions } from '../helpers/bench-options.js';

describe("the bench starts the bridge with npm start's node flags", () => {
  it('takes the flags between node and the script', () => {
    expect(startFlags('node --v8-pool-size=1 dist/main.js')).toEqual(['--v8-pool-size=1']);
    expect(startFlags('node  --a --b=2   dist/main.js ')).toEqual(['--a', '--b=2']);
    expect(startFlags('node dist/main.js')).toEqual([]);
  });

  it('refuses a start script of another shape rather than guessing', () => {
    expect(() => startFlags('tsx src/main.ts')).toThrow(/node \[flags\] dist\/main.js/);
    expect(() => startFlags('node dist/main.js --port 1')).toThrow(/npm start/);
  });

  it("reads this project's start script, which limits V8's helper threads to one", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
    expect(startFlags(pkg.scripts.start)).toContain('--v8-pool-size=1');
  });
});

describe('--node-flags', () => {
  const flagsOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => benchOptions(argv, env).nodeFlags;

  it("keeps npm start's flags unless told otherwise", () => {
    expect(flagsOf([])).toBeNull();
  });

  it('replaces them, or removes them all when empty', () => {
    expect(flagsOf(['--node-flags=--v8-pool-size=4  --max-semi-space-size=32'])).toEqual([
      '--v8-pool-size=4',
      '--max-semi-space-size=32',
    ]);
    expect(flagsOf(['--node-flags='])).toEqual([]);
    expect(flagsOf([], { BENCH_NODE_FLAGS: '--v8-pool-size=2' })).toEqual(['--v8-pool-size=2']);
  });
});
