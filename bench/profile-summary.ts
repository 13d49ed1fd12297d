/**
 * Where a bridge spent its CPU: reads the profiles written by `npm run bench -- --cpu-prof DIR` and
 * prints self time by area (a package under node_modules, a folder of src/, Node's internals, GC) and
 * by function. Usage: `npx tsx bench/profile-summary.ts DIR/bridge-<mode>-<pass> [top]`; of the
 * profiles there (one per thread) the busiest is shown, which is the bridge's main thread.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `node_modules/express`, `src/adapters/http`, `node:internal`, or the pseudo-frames `(garbage collector)` ... */
function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `node_modules/${pkg[1]}`;
  const own = /\/(dist|src|bench)\/(.*)\/[^/]+$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  const ownTop = /\/(dist|src|bench)\/[^/]+$/.exec(url);
  if (ownTop) return ownTop[1] ?? url;
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : url;
  return url;
}

function where(node: ProfileNode): string {
  const { url, functionName, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules|dist|src|bench)\//, '$1/').replace(/^file:\/\//, '');
  return `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`;
}

function top(totals: Map<string, number>, all: number, n: number): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, us]) =>
        `${((100 * us) / all).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`,
    );
}

function onCpu(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  return profile.samples.reduce((sum, id, i) => sum + (idle.has(id) ? 0 : (profile.timeDeltas[i] ?? 0)), 0);
}

/** The profile itself, or of a directory's profiles the one that spent most time on the CPU. */
function busiestProfile(path: string): { readonly path: string; readonly profile: CpuProfile } {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(path, f))
    : [path];
  const loaded = files.map((f) => ({ path: f, profile: JSON.parse(readFileSync(f, 'utf8')) as CpuProfile }));
  const busiest = loaded.sort((a, b) => onCpu(b.profile) - onCpu(a.profile))[0];
  if (!busiest) throw new Error(`no .cpuprofile in ${path}`);
  return busiest;
}

function summarizeProfile(target: string, n: number): string {
  const { path, profile } = busiestProfile(target);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let all = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    all += us;
    byArea.set(area(node), (byArea.get(area(node)) ?? 0) + us);
    byFunction.set(where(node), (byFunction.get(where(node)) ?? 0) + us);
  }
  const wall = profile.endTime - profile.startTime;
  return [
    `${path}: ${(wall / 1e6).toFixed(1)} s profiled, ${(all / 1e6).toFixed(1)} s on CPU, ${(idle / 1e6).toFixed(1)} s idle`,
    '',
    'self time by area:',
    ...top(byArea, all, n),
    '',
    'self time by function:',
    ...top(byFunction, all, n),
  ].join('\n');
}

const [file, count] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts DIR|FILE.cpuprofile [top]\n');
  process.exitCode = 2;
} else {
  process.stdout.write(`${summarizeProfile(file, Number(count ?? 25))}\n`);
}
