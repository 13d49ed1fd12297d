import type { Source } from '../../domain/model.js';
import { AppError } from './errors.js';
import { parseOr400 } from './validation.js';
import type { WebhookSource } from './webhook-route.js';

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError(400, 'invalid-json', `request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The alerts of a body that passes its source's schema; throws a 400 naming the bad fields when it does
 * not. Nothing of the parsed payload outlives the call: it dies young, costing the GC nothing.
 */
export function countChecked<P>(src: WebhookSource<P>, text: string): number {
  const json = parseJson(text);
  return src.plainCount?.(json) ?? src.count(parseOr400(src.schema, json, `${src.source} payload`));
}

/**
 * Checks a webhook body of a source as `countChecked` does, possibly elsewhere (another thread):
 * resolves with its alerts, rejects with the same 400 (`AppError`) for a body that does not fit.
 */
export type CheckBody = (source: Source, text: string) => Promise<number>;
