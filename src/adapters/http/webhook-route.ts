import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { Router } from 'express';
import type { z } from 'zod';
import type { Clock, Intake, Logger, Metrics } from '../../app/ports.js';
import type { AlertEvent, Source } from '../../domain/model.js';
import { presentedToken, tokenMatches } from './auth.js';
import { type CheckBody, countChecked, parseJson } from './body-check.js';
import { AppError, unavailable } from './errors.js';
import { parseOr400 } from './validation.js';

export interface WebhookDeps {
  readonly intake: Intake;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
  /** True once shutdown began: deliveries are refused with 503 so the sender tries again elsewhere. */
  readonly draining: () => boolean;
  /** Set (production mode): checked deliveries are queued as written and read into events by a worker. */
  readonly rawIntake?: RawDeliveryIntake | undefined;
  /** Set with `rawIntake`: checks bodies off this thread (see `BodyCheckThreads`). */
  readonly checkBody?: CheckBody | undefined;
}

/** A checked webhook body, kept as the sender wrote it (UTF-8). */
export interface RawDelivery {
  readonly source: Source;
  readonly receivedAt: string;
  readonly body: Buffer;
  /**
   * The body decoded as UTF-8 for the check, when the webhook made it. An intake may store it instead
   * of `body`: encoded again it is the very same bytes (for a body that is not valid UTF-8, what any
   * reader decoding those bytes would see), and ioredis writes a string without copying it into a
   * buffer of its own first.
   */
  readonly text?: string;
}

export interface RawDeliveryIntake {
  /** Resolves once the delivery is held durably. */
  submitRaw(delivery: RawDelivery): Promise<void>;
}

export interface WebhookSource<P> {
  readonly source: Source;
  readonly schema: z.ZodType<P>;
  readonly map: (payload: P) => AlertEvent[];
  /** The alerts `map` reads from a payload, without reading them. */
  readonly count: (payload: P) => number;
  /**
   * The alerts of a parsed body that plainly fits `schema`, found more cheaply than by the schema; null
   * when the schema must tell. Never accepts what the schema refuses.
   */
  readonly plainCount?: (json: unknown) => number | null;
}

/**
 * Checks a body against its source's schema (a 400 naming the bad fields when it does not fit) and
 * hands it on: queued as written to the raw intake when there is one, else read into events and
 * submitted. Resolves with the alerts accepted once the delivery is held durably.
 */
export async function takeDelivery<P>(
  src: WebhookSource<P>,
  receivedAt: string,
  body: Buffer,
  to: {
    readonly intake?: Intake | undefined;
    readonly rawIntake?: RawDeliveryIntake | undefined;
    readonly checkBody?: CheckBody | undefined;
  },
): Promise<number> {
  const text = body.toString('utf8');
  if (to.rawIntake) {
    const alerts = to.checkBody ? await to.checkBody(src.source, text) : countChecked(src, text);
    if (alerts > 0) await to.rawIntake.submitRaw({ source: src.source, receivedAt, body, text });
    return alerts;
  }
  const events = src.map(parseOr400(src.schema, parseJson(text), `${src.source} payload`));
  if (events.length > 0) {
    if (!to.intake) throw new Error('no intake to submit the delivery to');
    await to.intake.submit({ type: 'ingest', delivery: { source: src.source, receivedAt, events } });
  }
  return events.length;
}

/** Media types a webhook body may be declared as: JSON and its `+json` kinds. */
const JSON_TYPE = /^application\/(json|[^/;\s]+\+json)$/;

/** A body is coming: the request says how long it is, or that it is chunked. */
const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** Refuses what is not UTF-8 JSON before its body is read; null when the headers are fine. */
function checkHeaders(req: IncomingMessage): AppError | null {
  const header = req.headers['content-type'];
  if (header === undefined) {
    return hasBody(req)
      ? new AppError(415, 'unsupported-media-type', 'expected Content-Type: application/json')
      : null;
  }
  const [type = '', ...params] = header.split(';');
  if (!JSON_TYPE.test(type.trim().toLowerCase())) {
    return new AppError(415, 'unsupported-media-type', 'expected Content-Type: application/json');
  }
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      return new AppError(415, 'unsupported-media-type', `expected UTF-8 JSON, not charset ${charset}`);
    }
  }
  return null;
}

/** The body, inflated when the sender compressed it, refused past `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new AppError(413, 'payload-too-large', 'request body is larger than MAX_BODY_BYTES');
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  let stream: Readable;
  if (encoding === 'identity') stream = req;
  else if (encoding === 'gzip') stream = req.pipe(createGunzip());
  else if (encoding === 'deflate') stream = req.pipe(createInflate());
  else {
    return Promise.reject(
      new AppError(415, 'unsupported-media-type', `unsupported content encoding "${encoding}"`),
    );
  }
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        stream.destroy();
        fail(tooLarge());
      } else chunks.push(chunk);
    });
    stream.on('end', () => ok(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length)));
    stream.on('error', (e) =>
      fail(new AppError(400, 'invalid-request', `request body could not be read: ${e.message}`)),
    );
  });
}

/** Answers with a JSON body, as the error handler of the other routes does. */
function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * `POST` of one monitoring source, on node's own request and response: token, then JSON, then schema;
 * only a delivery that passed all three is handed to the intake, and 202 is answered once the intake
 * holds it durably. Webhooks are what a storm is made of, so they skip the framework the other routes
 * use (it cost about a quarter of a webhook's time); errors are answered in the same form.
 */
export function webhookHandler<P>(
  deps: WebhookDeps,
  src: WebhookSource<P>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const fail = (req: IncomingMessage, res: ServerResponse, e: unknown): void => {
    if (!(e instanceof AppError)) {
      deps.logger.error('unexpected error', { path: req.url, error: String(e) });
      answer(res, 500, { error: 'internal', message: 'internal error', details: [] });
      return;
    }
    const headers: Record<string, string> = {};
    if (e.status >= 500)
      deps.logger.warn('request failed', { path: req.url, status: e.status, error: e.message });
    if (e.status === 503) headers['retry-after'] = '5';
    if (e.status === 401) headers['www-authenticate'] = 'Bearer realm="webhooks"';
    // A body left unread is not waited for: the connection closes after the answer.
    if (!req.readableEnded) headers.connection = 'close';
    answer(res, e.status, { error: e.code, message: e.message, details: e.details }, headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const token = deps.token;
    if (token !== undefined) {
      const given = presentedToken(req.headers.authorization);
      if (given === null || !tokenMatches(given, token)) {
        throw new AppError(401, 'unauthorized', 'missing or wrong credentials');
      }
    }
    if (deps.draining()) throw unavailable('the bridge is shutting down; try again');
    const refused = checkHeaders(req);
    if (refused) throw refused;
    const body = await readBody(req, deps.maxBodyBytes);
    const receivedAt = deps.clock.now().toISOString();
    let accepted: number;
    try {
      accepted = await takeDelivery(src, receivedAt, body, deps);
    } catch (e) {
      if (e instanceof AppError && e.status < 500) throw e;
      deps.logger.error('delivery not stored', { source: src.source, error: String(e) });
      throw unavailable('the delivery could not be stored; try again');
    }
    if (accepted > 0) deps.metrics.alertsReceived(src.source, accepted);
    const text = `{"accepted":${accepted}}`;
    res.writeHead(202, { 'content-type': 'application/json; charset=utf-8', 'content-length': text.length });
    res.end(text);
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      deps.metrics.webhookRequest(
        src.source,
        res.statusCode,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    handle(req, res).catch((e: unknown) => {
      if (e instanceof AppError && e.status === 413) req.resume();
      fail(req, res, e);
    });
  };
}

/** A webhook handler as an express route, for a request that did not take the direct way (`/path/`). */
export function webhookRoute(handler: (req: IncomingMessage, res: ServerResponse) => void): Router {
  const router = Router();
  router.post('/', (req, res) => handler(req, res));
  return router;
}
