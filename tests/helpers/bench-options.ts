import { type BenchOptions, parseBenchOptions } from '../../bench/bench-options.js';

/** The bench's options from a command line and environment, for tests that never ask for `--help`. */
export function benchOptions(argv: string[], env: NodeJS.ProcessEnv = {}): BenchOptions {
  const o = parseBenchOptions(argv, env);
  if (o === 'help') throw new Error('help');
  return o;
}
