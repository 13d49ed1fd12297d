import type { Notification } from '../../domain/notification.js';
import type { NotifySettings } from './notify-config.js';

/** A post the target did not take: whether trying again can help, and how long it asked us to wait. */
export class NotifyError extends Error {
  constructor(
    readonly status: number | null,
    readonly retryable: boolean,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

function retryAfter(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

/**
 * Posts one notification as JSON. Only builds, posts and classifies the answer: 2xx is done; 408, 429,
 * 5xx and network errors may pass (retryable); any other answer will not. Retries are the queue's job.
 */
export async function postNotification(settings: NotifySettings, n: Notification): Promise<void> {
  let res: Response;
  try {
    res = await fetch(settings.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'incident-bridge',
        ...(settings.token ? { authorization: `Bearer ${settings.token}` } : {}),
      },
      body: JSON.stringify(n),
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name ?? 'network';
    throw new NotifyError(null, true, `notification not delivered: ${cause}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return;
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  throw new NotifyError(
    res.status,
    retryable,
    `notification refused with HTTP ${res.status}`,
    retryAfter(res.headers.get('retry-after')),
  );
}
