import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadTarget {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly path: string;
}

export interface LoadResult {
  readonly requests: number;
  /** Requests answered 202. */
  readonly accepted: number;
  /** Alerts in requests answered 202. */
  readonly acceptedAlerts: number;
  /** Status codes other than 202 and transport errors, with their counts. */
  readonly failures: Readonly<Record<string, number>>;
  /** From the first request sent to the last answer. */
  readonly seconds: number;
  /** One latency per request, ms, sorted. */
  readonly latenciesMs: readonly number[];
}

const REQUEST_TIMEOUT_MS = 30_000;

interface Answer {
  readonly status: number | 'error';
}

function post(agent: Agent, target: LoadTarget, body: Buffer): Promise<Answer> {
  return new Promise((ok) => {
    const req = request(
      `${target.url}${target.path}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', () => ok({ status: res.statusCode ?? 0 }));
        res.on('error', () => ok({ status: 'error' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => ok({ status: 'error' }));
    req.end(body);
  });
}

class Tally {
  accepted = 0;
  acceptedAlerts = 0;
  readonly failures: Record<string, number> = {};
  readonly latencies: number[] = [];

  record(answer: Answer, alerts: number, ms: number): void {
    this.latencies.push(ms);
    if (answer.status === 202) {
      this.accepted++;
      this.acceptedAlerts += alerts;
    } else {
      const k = String(answer.status);
      this.failures[k] = (this.failures[k] ?? 0) + 1;
    }
  }

  result(seconds: number): LoadResult {
    return {
      requests: this.latencies.length,
      accepted: this.accepted,
      acceptedAlerts: this.acceptedAlerts,
      failures: this.failures,
      seconds,
      latenciesMs: this.latencies.sort((a, b) => a - b),
    };
  }
}

/**
 * Closed loop: `concurrency` senders over keep-alive connections, each posting the next body as soon
 * as its previous one is answered. Measures how fast the server takes a storm.
 */
export async function sendClosedLoop(
  target: LoadTarget,
  bodies: readonly Buffer[],
  alertsPerBody: readonly number[],
  concurrency: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const tally = new Tally();
  let next = 0;
  const started = performance.now();
  const sender = async (): Promise<void> => {
    while (next < bodies.length) {
      const i = next++;
      const body = bodies[i] as Buffer;
      const t0 = performance.now();
      const answer = await post(agent, target, body);
      tally.record(answer, alertsPerBody[i] ?? 0, performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, sender));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return tally.result(seconds);
}

/**
 * Open loop: body `i` is due at `i / rate` seconds and is sent then, whether or not earlier ones were
 * answered. Latency counts from the due time, so a server that falls behind is charged for the
 * queueing it causes (no coordinated omission). At most `maxInFlight` connections; beyond that, due
 * requests wait for a free one, and that wait counts too.
 */
export async function sendPaced(
  target: LoadTarget,
  bodies: readonly Buffer[],
  alertsPerBody: readonly number[],
  rate: number,
  maxInFlight: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const tally = new Tally();
  const started = performance.now();
  const answers: Promise<void>[] = [];
  let released = 0;
  await new Promise<void>((done) => {
    const release = (): void => {
      const due = Math.min(bodies.length, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      for (; released < due; released++) {
        const i = released;
        const dueAt = started + (i * 1000) / rate;
        answers.push(
          post(agent, target, bodies[i] as Buffer).then((answer) => {
            tally.record(answer, alertsPerBody[i] ?? 0, performance.now() - dueAt);
          }),
        );
      }
      if (released < bodies.length) setTimeout(release, 1);
      else done();
    };
    release();
  });
  await Promise.all(answers);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return tally.result(seconds);
}

/** The `q` quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}
