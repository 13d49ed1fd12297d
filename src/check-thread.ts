import { parentPort } from 'node:worker_threads';
import type { CheckReply, CheckRequest } from './adapters/http/body-check-threads.js';
import { AppError } from './adapters/http/errors.js';
import { countWebhookBody } from './adapters/sources/webhook-sources.js';

/** One body check thread (see `adapters/http/body-check-threads.ts`): bodies in, alerts or errors out. */
const port = parentPort;
if (port === null) throw new Error('check-thread runs as a worker thread');

port.on('message', ({ id, source, text }: CheckRequest) => {
  let reply: CheckReply;
  try {
    reply = { id, alerts: countWebhookBody(source, text) };
  } catch (e) {
    reply =
      e instanceof AppError
        ? { id, refused: { status: e.status, code: e.code, message: e.message, details: e.details } }
        : { id, failed: String(e) };
  }
  port.postMessage(reply);
});
