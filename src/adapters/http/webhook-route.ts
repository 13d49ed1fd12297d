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
}

export interface WebhookSource<P> {
  readonly source: Source;
  readonly schema: z.ZodType<P>;
  readonly map: (payload: P) => AlertEvent[];
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
      next();
    },
    express.json({ limit: deps.maxBodyBytes, strict: false, type: () => true }),
    async (req, res) => {
      const payload = parseOr400(src.schema, req.body, `${src.source} payload`);
      const events = src.map(payload);
      if (events.length > 0) {
        const delivery = { source: src.source, receivedAt: deps.clock.now().toISOString(), events };
        try {
          await deps.intake.submit({ type: 'ingest', delivery });
        } catch (e) {
          deps.logger.error('delivery not stored', {
            source: src.source,
            alerts: events.length,
            error: String(e),
          });
          throw unavailable('the delivery could not be stored; try again');
        }
        deps.metrics.alertsReceived(src.source, events.length);
      }
      res.status(202).json({ accepted: events.length });
    },
  );
  return router;
}
