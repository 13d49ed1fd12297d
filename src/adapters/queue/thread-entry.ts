import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What `new Worker` needs to start one of the bridge's thread entries (`src/<name>.ts`): compiled,
 * `dist/<name>.js`. Run from the TypeScript source (tsx, tests), a thread does not inherit tsx's
 * loader, so a small script registers it first and then loads the source.
 */
export function threadEntry(name: string): { entry: string; eval: boolean } {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`../../${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return { entry: fileURLToPath(url), eval: false };
  const tsxApi = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const load = `import(${JSON.stringify(pathToFileURL(tsxApi).href)})
    .then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return { entry: load, eval: true };
}
