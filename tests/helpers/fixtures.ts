import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** A captured webhook body, parsed (a fresh copy each call, so tests may change it). */
export function fixture<T = Record<string, unknown>>(source: 'alertmanager' | 'zabbix', name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, source, `${name}.json`), 'utf8')) as T;
}
