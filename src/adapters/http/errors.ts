import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../../app/ports.js';

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** An error with the HTTP answer it deserves; `retryable` tells a sender whether trying again can help. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly retryable = false,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: readonly ErrorDetail[] = []): AppError =>
  new AppError(400, 'invalid-request', message, details);
export const notFound = (what: string): AppError => new AppError(404, 'not-found', `${what} not found`);
export const unavailable = (message: string): AppError => new AppError(503, 'unavailable', message, [], true);

/** The one place errors become HTTP answers: `{error, message, details}`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof AppError) {
      if (err.status >= 500)
        logger.warn('request failed', { path: req.path, status: err.status, error: err.message });
      if (err.status === 503) res.set('Retry-After', '5');
      res.status(err.status).json({ error: err.code, message: err.message, details: err.details });
      return;
    }
    // body-parser's errors carry `type` and `status`.
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      res.status(413).json({
        error: 'payload-too-large',
        message: 'request body is larger than MAX_BODY_BYTES',
        details: [],
      });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({
        error: 'invalid-json',
        message: `request body is not valid JSON: ${e.message ?? ''}`,
        details: [],
      });
      return;
    }
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
      res
        .status(415)
        .json({ error: 'unsupported-media-type', message: e.message ?? 'unsupported encoding', details: [] });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res
        .status(e.status)
        .json({ error: 'invalid-request', message: e.message ?? 'bad request', details: [] });
      return;
    }
    logger.error('unexpected error', { path: req.path, error: String(err) });
    res.status(500).json({ error: 'internal', message: 'internal error', details: [] });
  };
}
