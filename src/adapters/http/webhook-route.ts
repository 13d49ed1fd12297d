import express, { type Request, type RequestHandler, Router } from 'express';
import type { z } from 'zod';
import type { Clock, Intake, Logger, Metrics } from '../../app/ports.js';
import type { AlertEvent, Source } from '../../domain/model.js';
import { requireToken } from './auth.js';
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
}

/** A checked webhook body, kept as the sender wrote it (UTF-8). */
export interface RawDelivery {
  readonly source: Source;
  readonly receivedAt: string;
  readonly body: Buffer;
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
}

const isJson = (req: Request): boolean => req.is(['application/json', 'application/*+json']) !== false;

/** Times every delivery for `incident_bridge_webhook_request_duration_seconds`. */
function timed(source: string, metrics: Metrics): RequestHandler {
  return (_req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      metrics.webhookRequest(source, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new AppError(400, 'invalid-json', `request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The alerts of a body that passed the source's schema. Apart from the async caller, so that nothing of
 * the parsed payload is held while the body is being stored: it dies young, costing the GC nothing.
 */
function countChecked<P>(src: WebhookSource<P>, body: Buffer): number {
  return src.count(parseOr400(src.schema, parseJson(body), `${src.source} payload`));
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
  to: { readonly intake?: Intake | undefined; readonly rawIntake?: RawDeliveryIntake | undefined },
): Promise<number> {
  if (to.rawIntake) {
    const alerts = countChecked(src, body);
    if (alerts > 0) await to.rawIntake.submitRaw({ source: src.source, receivedAt, body });
    return alerts;
  }
  const events = src.map(parseOr400(src.schema, parseJson(body), `${src.source} payload`));
  if (events.length > 0) {
    if (!to.intake) throw new Error('no intake to submit the delivery to');
    await to.intake.submit({ type: 'ingest', delivery: { source: src.source, receivedAt, events } });
  }
  return events.length;
}

/**
 * `POST /` for one monitoring source: token, then JSON, then schema; only a delivery that passed all
 * three is handed to the intake, and 202 is answered once the intake holds it durably.
 */
export function webhookRoute<P>(deps: WebhookDeps, src: WebhookSource<P>): Router {
  const router = Router();
  router.post(
    '/',
    timed(src.source, deps.metrics),
    requireToken(deps.token, 'webhooks'),
    (req, _res, next) => {
      if (deps.draining()) return next(unavailable('the bridge is shutting down; try again'));
      if (!isJson(req)) {
        return next(new AppError(415, 'unsupported-media-type', 'expected Content-Type: application/json'));
      }
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i
        .exec(req.get('content-type') ?? '')?.[1]
        ?.toLowerCase();
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        return next(
          new AppError(415, 'unsupported-media-type', `expected UTF-8 JSON, not charset ${charset}`),
        );
      }
      next();
    },
    express.raw({ limit: deps.maxBodyBytes, type: () => true }),
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
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
      // Written directly: the answer every sender waits for during a storm, without res.json's ETag and
      // freshness work that a POST answer never needs.
      const answer = `{"accepted":${accepted}}`;
      res.writeHead(202, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': answer.length,
      });
      res.end(answer);
    },
  );
  return router;
}
