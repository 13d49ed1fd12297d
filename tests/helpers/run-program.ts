import { execFile } from 'node:child_process';

export interface ProgramRun {
  /** The exit code; -1 when the program could not start or was killed. */
  readonly code: number;
  /** The command line, then what it printed: the message of a failed expectation. */
  readonly output: string;
}

/**
 * Runs a program of the machine (promtool, amtool: Debian packages that scripts/ensure-test-deps.sh
 * installs) and answers its exit code and output, failing or not.
 */
export function runProgram(command: string, args: readonly string[], cwd?: string): Promise<ProgramRun> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      const failure = error === null ? '' : `\n${error.message}`;
      resolve({ code, output: `${command} ${args.join(' ')}\n${stdout}${stderr}${failure}` });
    });
  });
}
