/**
 * Reading a Dockerfile, a .dockerignore and image references the way Docker does, as far as the tests
 * need without a Docker engine.
 */

/**
 * An image pinned to one release: a tag with a full `major.minor.patch` version (`v` prefix and a variant
 * suffix allowed: `v2.55.1`, `20.19.5-bookworm-slim`), or a digest. Not `latest`, not `7`, not `7.4`.
 */
export function isPinnedImage(ref: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return true;
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', slash + 1);
  if (colon < 0) return false;
  return /^v?\d+\.\d+\.\d+([-.][A-Za-z0-9.-]+)?$/.test(ref.slice(colon + 1));
}

export interface DockerInstruction {
  readonly keyword: string;
  /** The arguments as written (continuation lines joined). */
  readonly args: string;
}

export interface DockerStage {
  readonly image: string;
  readonly name: string | null;
  readonly instructions: readonly DockerInstruction[];
}

/** The stages of a Dockerfile, each with its instructions (comments dropped, continuations joined). */
export function dockerfileStages(text: string): DockerStage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: { image: string; name: string | null; instructions: DockerInstruction[] }[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    const keyword = (m?.[1] ?? '').toUpperCase();
    const args = m?.[2] ?? '';
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ image: from?.[1] ?? args, name: from?.[2] ?? null, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

/** The sources a COPY or ADD takes from the build context; none when it copies `--from` another stage. */
export function contextSources(instruction: DockerInstruction): string[] {
  if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') return [];
  const m = /^((?:--\S+\s+)*)(.*)$/.exec(instruction.args.trim());
  const flags = (m?.[1] ?? '').split(/\s+/);
  if (flags.some((f) => f.startsWith('--from='))) return [];
  const rest = m?.[2] ?? '';
  const paths = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return paths.slice(0, -1);
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether a .dockerignore leaves `path` (relative to the build context) out of the context: the last
 * pattern that matches the path or one of its parent directories decides; `!` patterns bring back.
 */
export function isDockerIgnored(path: string, dockerignore: string): boolean {
  const clean = (p: string): string => p.replace(/^\.\//, '').replace(/^\/+|\/+$/g, '');
  const target = clean(path);
  const prefixes = target.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of dockerignore.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const re = globToRegExp(clean(negated ? line.slice(1) : line));
    if (prefixes.some((p) => re.test(p))) ignored = !negated;
  }
  return ignored;
}
