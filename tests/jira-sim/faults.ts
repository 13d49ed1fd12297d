/**
 * Fault injection for the Jira simulator. Standing settings (`set`) apply to every request;
 * one-shot faults (`status429Next`, `status500Next`, `dropNextConnection`) apply to the next
 * n matching requests, in the order they were queued.
 */

/** Restricts a one-shot fault to some requests. `path` is matched against the path without query. */
export interface FaultMatch {
  method?: string;
  path?: string | RegExp;
}

export interface FaultSettings {
  /** Delay in milliseconds before every answer, fault answers included. */
  latencyMs: number;
  /** Every Nth request, counted from when this is set, answers 429. 0 turns it off. */
  every429: number;
  /** `Retry-After` (seconds) on 429 answers; null sends none. */
  retryAfterSeconds: number | null;
  /** New issues stay invisible to `/search/jql` for this long, like Jira Cloud's lagging index. */
  searchLagMs: number;
}

export const DEFAULT_FAULTS: Readonly<FaultSettings> = {
  latencyMs: 0,
  every429: 0,
  retryAfterSeconds: 1,
  searchLagMs: 0,
};

type OneShot =
  | {
      kind: 'status';
      status: number;
      remaining: number;
      retryAfterSeconds: number | null;
      match: FaultMatch | undefined;
    }
  | { kind: 'drop'; remaining: number; afterProcessing: boolean; match: FaultMatch | undefined };

/** What the server does with one request. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'status'; status: number; retryAfterSeconds: number | null };

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}

export class FaultController {
  private current: FaultSettings = { ...DEFAULT_FAULTS };
  private queue: OneShot[] = [];
  private since429 = 0;
  private downState = false;

  /** @param setDown brings the listening socket down (refusing connections) or back up. */
  constructor(private readonly setDown: (down: boolean) => Promise<void>) {}

  get settings(): Readonly<FaultSettings> {
    return { ...this.current };
  }

  /** Merges standing settings, e.g. `set({ every429: 3, retryAfterSeconds: 2 })`. */
  set(settings: Partial<FaultSettings>): void {
    if (settings.every429 !== undefined) this.since429 = 0;
    this.current = { ...this.current, ...settings };
  }

  /** The next `n` matching requests answer 429 (with `Retry-After` unless `retryAfterSeconds` is null). */
  status429Next(n = 1, options: { retryAfterSeconds?: number | null; match?: FaultMatch } = {}): void {
    const retryAfterSeconds =
      options.retryAfterSeconds === undefined ? this.current.retryAfterSeconds : options.retryAfterSeconds;
    this.queue.push({ kind: 'status', status: 429, remaining: n, retryAfterSeconds, match: options.match });
  }

  /** The next `n` matching requests answer a 5xx (500 unless `status` says 502, 503, 504...), doing nothing. */
  status500Next(n = 1, options: { status?: number; match?: FaultMatch } = {}): void {
    const status = options.status ?? 500;
    this.queue.push({ kind: 'status', status, remaining: n, retryAfterSeconds: null, match: options.match });
  }

  /**
   * The next `n` matching requests get their connection destroyed instead of an answer. By default
   * before anything happens; with `afterProcessing` the request takes effect and only the answer is lost.
   */
  dropNextConnection(n = 1, options: { afterProcessing?: boolean; match?: FaultMatch } = {}): void {
    this.queue.push({
      kind: 'drop',
      remaining: n,
      afterProcessing: options.afterProcessing ?? false,
      match: options.match,
    });
  }

  /** `down(true)` closes the listening socket (clients get ECONNREFUSED) and cuts open connections; `down(false)` listens again on the same port. */
  async down(isDown = true): Promise<void> {
    if (isDown === this.downState) return;
    await this.setDown(isDown);
    this.downState = isDown;
  }

  get isDown(): boolean {
    return this.downState;
  }

  /** Back to no faults (the server is brought back up if it was down). */
  async clear(): Promise<void> {
    this.current = { ...DEFAULT_FAULTS };
    this.queue = [];
    this.since429 = 0;
    await this.down(false);
  }

  private take(predicate: (shot: OneShot) => boolean): OneShot | undefined {
    const shot = this.queue.find(predicate);
    if (!shot) return undefined;
    shot.remaining -= 1;
    if (shot.remaining <= 0) this.queue = this.queue.filter((s) => s !== shot);
    return shot;
  }

  /** Decides the fate of a request before it is processed. */
  beforeProcessing(method: string, path: string): FaultDecision {
    const shot = this.take(
      (s) =>
        (s.kind === 'status' || (s.kind === 'drop' && !s.afterProcessing)) && matches(s.match, method, path),
    );
    if (shot?.kind === 'drop') return { kind: 'drop' };
    if (shot?.kind === 'status') {
      return { kind: 'status', status: shot.status, retryAfterSeconds: shot.retryAfterSeconds };
    }
    if (this.current.every429 > 0) {
      this.since429 += 1;
      if (this.since429 % this.current.every429 === 0) {
        return { kind: 'status', status: 429, retryAfterSeconds: this.current.retryAfterSeconds };
      }
    }
    return { kind: 'none' };
  }

  /** True when the answer to a processed request must be lost (connection destroyed). */
  dropAfterProcessing(method: string, path: string): boolean {
    return (
      this.take((s) => s.kind === 'drop' && s.afterProcessing && matches(s.match, method, path)) !== undefined
    );
  }
}
