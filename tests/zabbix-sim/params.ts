import { invalidParams } from './errors.js';

/**
 * Parameter rules in the manner of Zabbix's `CApiInputValidator`: an unknown parameter, a field not
 * allowed in `output`, a wrong type are refused with its wording
 * (`Invalid parameter "/output/2": value must be one of "eventid", "name".`).
 */
export type Rule =
  | { readonly type: 'ids' }
  | { readonly type: 'int'; readonly in?: readonly number[] }
  | { readonly type: 'ints'; readonly in?: readonly number[] }
  | { readonly type: 'bool' }
  | { readonly type: 'flag' }
  | { readonly type: 'string' }
  | { readonly type: 'output'; readonly fields: readonly string[]; readonly count?: boolean }
  | { readonly type: 'filter'; readonly fields: readonly string[] }
  | { readonly type: 'sortfield'; readonly fields: readonly string[] }
  | { readonly type: 'sortorder' }
  | { readonly type: 'limit' };

export type Rules = Readonly<Record<string, Rule>>;

/** What a validated `output`/`select*` asks for: every field, a count, or the listed fields. */
export type Output = 'extend' | 'count' | readonly string[];

const bad = (path: string, what: string) => invalidParams(`Invalid parameter "${path}": ${what}.`);
const oneOf = (values: readonly (string | number)[]): string =>
  `value must be one of ${values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ')}`;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** API_NORMALIZE: a single value stands for a list of one. */
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function id(path: string, v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  throw bad(path, 'a number is expected');
}

function int(path: string, v: unknown, allowed?: readonly number[]): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(path, 'an integer is expected');
  if (allowed && !allowed.includes(n)) throw bad(path, oneOf(allowed));
  return n;
}

function check(path: string, rule: Rule, v: unknown): unknown {
  switch (rule.type) {
    case 'ids':
      return list(v).map((x, i) => id(`${path}/${i + 1}`, x));
    case 'int':
      return int(path, v, rule.in);
    case 'ints':
      return list(v).map((x, i) => int(`${path}/${i + 1}`, x, rule.in));
    case 'bool':
      if (typeof v !== 'boolean') throw bad(path, 'a boolean is expected');
      return v;
    case 'flag':
      return Boolean(v);
    case 'string':
      if (typeof v !== 'string') throw bad(path, 'a character string is expected');
      return v;
    case 'limit':
      return int(path, v);
    case 'sortorder':
      return list(v).map((x, i) => {
        if (x !== 'ASC' && x !== 'DESC') throw bad(`${path}/${i + 1}`, oneOf(['ASC', 'DESC']));
        return x;
      });
    case 'sortfield':
      return list(v).map((x, i) => {
        if (typeof x !== 'string' || !rule.fields.includes(x))
          throw bad(`${path}/${i + 1}`, oneOf(rule.fields));
        return x;
      });
    case 'output': {
      if (v === 'extend' || (rule.count && v === 'count')) return v;
      if (typeof v === 'string') throw bad(path, `value must be "extend"`);
      if (!Array.isArray(v)) throw bad(path, 'an array or a character string is expected');
      return v.map((x, i) => {
        if (typeof x !== 'string' || !rule.fields.includes(x))
          throw bad(`${path}/${i + 1}`, oneOf(rule.fields));
        return x;
      });
    }
    case 'filter': {
      if (!isObject(v)) throw bad(path, 'an array is expected');
      for (const k of Object.keys(v))
        if (!rule.fields.includes(k)) throw bad(path, `unexpected parameter "${k}"`);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, list(x).map(String)]));
    }
  }
}

/** Checks `params` against `rules`; answers them normalized (ids as strings, single values as lists). */
export function validate(params: unknown, rules: Rules): Record<string, unknown> {
  if (Array.isArray(params) && params.length === 0) return {};
  if (!isObject(params)) throw bad('/', 'an array is expected');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    const rule = rules[k];
    if (rule === undefined) throw bad('/', `unexpected parameter "${k}"`);
    if (v === null) continue;
    out[k] = check(`/${k}`, rule, v);
  }
  return out;
}

/** Keeps the fields `output` asks for (`extend`: all of them). */
export function pick<T extends object>(row: T, output: Output | undefined, always: readonly string[] = []) {
  if (output === undefined || output === 'extend' || output === 'count') return row;
  const wanted = new Set([...output, ...always]);
  return Object.fromEntries(Object.entries(row).filter(([k]) => wanted.has(k))) as Partial<T>;
}
