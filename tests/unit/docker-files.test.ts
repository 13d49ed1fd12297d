import { describe, expect, it } from 'vitest';
import { contextSources, dockerfileStages, isDockerIgnored, isPinnedImage } from '../helpers/docker-files.js';

describe('isPinnedImage', () => {
  it.each([
    ['node:20.19.5-bookworm-slim', true],
    ['prom/prometheus:v2.55.1', true],
    ['redis:7.4.2', true],
    ['localhost:5000/team/bridge:1.2.3', true],
    [`grafana/grafana@sha256:${'a'.repeat(64)}`, true],
    ['node:20.19-bookworm-slim', false],
    ['redis:7', false],
    ['grafana/grafana:latest', false],
    ['grafana/grafana', false],
    ['localhost:5000/team/bridge', false],
  ])('%s pinned: %s', (ref, pinned) => {
    expect(isPinnedImage(ref)).toBe(pinned);
  });
});

describe('dockerfileStages', () => {
  const dockerfile = [
    '# comment',
    'FROM node:20.19.5-bookworm-slim AS build',
    'COPY package.json package-lock.json ./',
    'RUN npm ci \\',
    '  && npm run build',
    'FROM --platform=linux/amd64 node:20.19.5-bookworm-slim',
    'COPY --from=build /app/dist ./dist',
    'COPY --chown=node:node ["rules", "./rules"]',
    'USER node',
  ].join('\n');

  it('splits stages and joins continuation lines', () => {
    const stages = dockerfileStages(dockerfile);
    expect(stages.map((s) => [s.image, s.name])).toEqual([
      ['node:20.19.5-bookworm-slim', 'build'],
      ['node:20.19.5-bookworm-slim', null],
    ]);
    expect(stages[0]?.instructions[1]).toEqual({ keyword: 'RUN', args: 'npm ci    && npm run build' });
  });

  it('lists what COPY takes from the build context, and nothing for --from', () => {
    const copies = dockerfileStages(dockerfile).flatMap((s) => s.instructions.map(contextSources));
    expect(copies.filter((c) => c.length > 0)).toEqual([['package.json', 'package-lock.json'], ['rules']]);
  });
});

describe('isDockerIgnored', () => {
  const ignore = ['# state', 'node_modules', '/dist/', '*.log', 'docs/**/*.png', 'tests', '!tests/keep'].join(
    '\n',
  );

  it.each([
    ['node_modules/x/index.js', true],
    ['dist/main.js', true],
    ['debug.log', true],
    ['src/debug.log', false],
    ['docs/a/b/c.png', true],
    ['docs/c.png', true],
    ['tests/unit/x.test.ts', true],
    ['tests/keep/file', false],
    ['src/main.ts', false],
    ['./package.json', false],
  ])('%s ignored: %s', (path, ignored) => {
    expect(isDockerIgnored(path, ignore)).toBe(ignored);
  });
});
