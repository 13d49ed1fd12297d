import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/adapters/rules/rules-loader.js';
import { loadConfig, redactConfig } from '../../src/config.js';

const rulesDir = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ib-rules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      RULES_DIR: './rules',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      MAX_BODY_BYTES: 1024 * 1024,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_FORMAT', 'xml'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_BODY_BYTES', 'big'],
  ])('stops with a message naming %s when it is %s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration: ${name}:`));
  });

  it('reads sizes with units and prints secrets as <secret>', () => {
    const c = loadConfig({ MAX_BODY_BYTES: '2mib', WEBHOOK_TOKEN: 'hunter2', API_TOKEN: '' });
    expect(c.MAX_BODY_BYTES).toBe(2 * 1024 * 1024);
    expect(c.API_TOKEN).toBeUndefined();
    expect(JSON.stringify(redactConfig(c))).not.toContain('hunter2');
    expect(redactConfig(c).WEBHOOK_TOKEN).toBe('<secret>');
  });
});

describe('rules', () => {
  it('loads the shipped rules', () => {
    const rules = loadRules(join(import.meta.dirname, '..', '..', 'rules'));
    expect(rules.grouping.defaults.groupBy).toEqual(['alertname', 'service']);
    expect(rules.grouping.defaults.reopenWindowMs).toBe(3_600_000);
    expect(rules.grouping.routes.map((r) => r.name)).toContain('zabbix-by-service');
  });

  it('uses the defaults when there are no rules files', () => {
    const rules = loadRules(rulesDir({}));
    expect(rules.grouping.defaults.flapping).toEqual({ cycles: 4, windowMs: 3_600_000 });
  });

  it('rejects an unknown key naming the file and the path', () => {
    const dir = rulesDir({ 'grouping.yml': 'routes:\n  - name: x\n    group_bye: [a]\n' });
    expect(() => loadRules(dir)).toThrow(/grouping\.yml: routes\.0: Unrecognized key: "group_bye"/);
  });

  it('rejects a bad duration, a bad regular expression and an unknown file', () => {
    expect(() => loadRules(rulesDir({ 'grouping.yml': 'defaults:\n  reopen_window: soon\n' }))).toThrow(
      /grouping\.yml: defaults\.reopen_window: expected a duration/,
    );
    expect(() =>
      loadRules(rulesDir({ 'grouping.yml': 'routes:\n  - name: x\n    match_re: {service: "("}\n' })),
    ).toThrow(/routes\.0\.match_re\.service: expected a valid regular expression/);
    expect(() => loadRules(rulesDir({ 'grupping.yml': 'defaults: {}\n' }))).toThrow(
      /grupping\.yml: unknown rules file/,
    );
  });
});
