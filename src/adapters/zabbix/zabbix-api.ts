import { z } from 'zod';

export type ZabbixAuth =
  | { readonly type: 'token'; readonly token: string }
  | { readonly type: 'password'; readonly user: string; readonly password: string };

export interface ZabbixApiOptions {
  /** The JSON-RPC endpoint, `…/api_jsonrpc.php`. */
  readonly url: string;
  readonly auth: ZabbixAuth;
  readonly timeoutMs: number;
  /** Told of every failed call (`op`: the method). */
  readonly onError?: (op: string) => void;
}

/** A call that got no usable answer (network, HTTP status, not JSON-RPC, unexpected result). */
export class ZabbixCallError extends Error {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(`${method}: ${message}`);
  }
}

/** An `error` answer of the JSON-RPC API: `{code, message, data}`. */
export class ZabbixApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
    readonly data: string,
  ) {
    super(`${method}: ${rpcMessage} ${data} (${code})`);
  }

  /** The session or token was refused: log in again (password) or give up (token). */
  get isAuthFailure(): boolean {
    return /not authori[sz]ed|session terminated|re-login|api token expired/i.test(this.data);
  }
}

// The error form first: `result: unknown` would also take an answer without a result.
const rpcAnswerSchema = z.union([
  z.object({
    jsonrpc: z.literal('2.0'),
    error: z.object({ code: z.number(), message: z.string(), data: z.string().default('') }),
    id: z.unknown(),
  }),
  z.object({ jsonrpc: z.literal('2.0'), result: z.unknown(), id: z.unknown() }),
]);

/** `6.0.14` → [6, 0]. */
function majorMinor(version: string): [number, number] {
  const [major, minor] = version.split('.').map((n) => Number.parseInt(n, 10));
  return [major ?? 0, minor ?? 0];
}

const atLeast = (v: [number, number], major: number, minor: number): boolean =>
  v[0] > major || (v[0] === major && v[1] >= minor);

/**
 * A thin client of Zabbix's JSON-RPC API. It asks `apiinfo.version` first and then speaks that
 * version's dialect: up to 6.2 the token or session goes in the request's `auth` property; from 6.4
 * in an `Authorization: Bearer` header (7.2 refuses `auth`). `user.login` takes `username` from 5.4 on,
 * `user` before. With a password, a session the server dropped is renewed once per call.
 */
export class ZabbixApi {
  private version: [number, number] | null = null;
  private session: string | null = null;
  private nextId = 1;

  constructor(private readonly options: ZabbixApiOptions) {}

  async call<T>(method: string, params: Record<string, unknown>, schema: z.ZodType<T>, signal: AbortSignal) {
    try {
      return await this.authorized(method, params, schema, signal);
    } catch (e) {
      // Counted under the method that failed: `apiinfo.version` or `user.login` may fail for another.
      const failed = e instanceof ZabbixApiError || e instanceof ZabbixCallError ? e.method : method;
      if (!signal.aborted) this.options.onError?.(failed);
      throw e;
    }
  }

  /** Ends the session `user.login` opened, if any (API tokens have none); errors are ignored. */
  async logout(signal: AbortSignal): Promise<void> {
    const session = this.session;
    if (session === null || this.version === null) return;
    this.session = null;
    await this.post('user.logout', [], z.boolean(), signal, {
      version: this.version,
      credential: session,
    }).catch(() => undefined);
  }

  private async authorized<T>(
    method: string,
    params: Record<string, unknown>,
    schema: z.ZodType<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const version = await this.serverVersion(signal);
    const credential = await this.credential(version, signal);
    try {
      return await this.post(method, params, schema, signal, { version, credential });
    } catch (e) {
      if (!(e instanceof ZabbixApiError && e.isAuthFailure && this.options.auth.type === 'password')) throw e;
      this.session = null;
      const renewed = await this.credential(version, signal);
      return this.post(method, params, schema, signal, { version, credential: renewed });
    }
  }

  private async serverVersion(signal: AbortSignal): Promise<[number, number]> {
    if (this.version === null) {
      this.version = majorMinor(await this.post('apiinfo.version', {}, z.string(), signal, null));
    }
    return this.version;
  }

  private async credential(version: [number, number], signal: AbortSignal): Promise<string> {
    const { auth } = this.options;
    if (auth.type === 'token') return auth.token;
    if (this.session === null) {
      const userParam = atLeast(version, 5, 4) ? 'username' : 'user';
      this.session = await this.post(
        'user.login',
        { [userParam]: auth.user, password: auth.password },
        z.string(),
        signal,
        null,
      );
    }
    return this.session;
  }

  private async post<T>(
    method: string,
    params: Record<string, unknown> | readonly [],
    schema: z.ZodType<T>,
    signal: AbortSignal,
    as: { version: [number, number]; credential: string } | null,
  ): Promise<T> {
    const inHeader = as !== null && atLeast(as.version, 6, 4);
    const body = {
      jsonrpc: '2.0',
      method,
      params,
      id: this.nextId++,
      ...(as !== null && !inHeader ? { auth: as.credential } : {}),
    };
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json-rpc',
          ...(inHeader ? { authorization: `Bearer ${as.credential}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      text = await res.text();
    } catch (e) {
      if (signal.aborted) throw e;
      throw new ZabbixCallError(method, String(e));
    }
    if (!res.ok) throw new ZabbixCallError(method, `HTTP ${res.status}: ${text.slice(0, 200)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ZabbixCallError(method, `the answer is not JSON: ${text.slice(0, 200)}`);
    }
    const answer = rpcAnswerSchema.safeParse(json);
    if (!answer.success)
      throw new ZabbixCallError(method, `not a JSON-RPC 2.0 answer: ${text.slice(0, 200)}`);
    if ('error' in answer.data) {
      const { code, message, data } = answer.data.error;
      throw new ZabbixApiError(method, code, message, data);
    }
    const result = schema.safeParse(answer.data.result);
    if (!result.success) {
      const first = result.error.issues[0];
      throw new ZabbixCallError(method, `unexpected result at ${first?.path.join('.')}: ${first?.message}`);
    }
    return result.data;
  }
}
