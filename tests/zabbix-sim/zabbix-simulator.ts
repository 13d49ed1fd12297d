/**
 * A stateful simulator of Zabbix 6.0's JSON-RPC API (`api_jsonrpc.php`) for tests: an HTTP server on
 * 127.0.0.1 with hosts, triggers, problems, recoveries and updates that the test makes happen, and the
 * webhook bodies the shipped media type would have posted for them.
 *
 *   const sim = await startZabbixSimulator();
 *   sim.state.addHost('web-1', { groups: ['Linux servers'] });
 *   const t = sim.state.addTrigger('web-1', 'Nginx down on {HOST.NAME}', { priority: 4 });
 *   const problem = sim.state.fire(t.triggerid);
 *   await fetch(bridge + '/webhooks/zabbix', { body: JSON.stringify(sim.webhookBody(problem.eventid, 'problem')) ... });
 *   await sim.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RpcError } from './errors.js';
import { APIS, METHODS, UNAUTHENTICATED } from './methods.js';
import { validate } from './params.js';
import { SEVERITY_NAMES, ZabbixState } from './state.js';

export type { ZabbixState } from './state.js';
export { ADMIN } from './state.js';

export interface ZabbixSimulatorOptions {
  /** The version `apiinfo.version` answers, and whose dialect is spoken (default `6.0.14`). */
  readonly version?: string;
  /** Clock for event times and the "recent" window (default `Date.now`). */
  readonly now?: () => number;
}

export interface SimCall {
  readonly time: number;
  readonly method: string;
  readonly params: unknown;
  /** The request's `auth` property. */
  readonly auth: unknown;
  /** The `Authorization` header. */
  readonly authorization: string | undefined;
  /** The error answered, if any. */
  readonly error?: string;
}

export interface SimFaults {
  /** Every request is answered with this HTTP status (and an HTML body), as a broken proxy or PHP would. */
  httpStatus?: number;
  /** Every connection is dropped without an answer. */
  down?: boolean;
  /** Each answer waits this long. */
  delayMs?: number;
}

export interface ZabbixSimulator {
  /** `http://127.0.0.1:<port>`: the frontend; the API is at `${url}/api_jsonrpc.php`. */
  readonly url: string;
  readonly apiUrl: string;
  readonly state: ZabbixState;
  readonly faults: SimFaults;
  /** Every API call so far, oldest first. */
  readonly calls: SimCall[];
  /** The most calls of `method` that were in progress at once. */
  maxConcurrent(method: string): number;
  /**
   * The body the shipped media type (integrations/zabbix) posts for this problem: its `problem`
   * notification or its `recovery`.
   */
  webhookBody(eventid: string, kind: 'problem' | 'recovery'): Record<string, unknown>;
  close(): Promise<void>;
}

const ALLOWED_CONTENT_TYPES = new Set([
  'application/json-rpc',
  'application/json',
  'application/jsonrequest',
]);

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const isoSeconds = (clock: number): string => new Date(clock * 1000).toISOString().replace('.000Z', 'Z');

export async function startZabbixSimulator(options: ZabbixSimulatorOptions = {}): Promise<ZabbixSimulator> {
  const version = options.version ?? '6.0.14';
  const state = new ZabbixState(options.now ?? Date.now);
  const faults: SimFaults = {};
  const calls: SimCall[] = [];
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const sockets = new Set<Socket>();
  // 6.4 reads `Authorization: Bearer`; 7.2 refuses the `auth` property that 6.0 needs.
  const headerAuth = versionAtLeast(version, 6, 4);
  const authPropertyRemoved = versionAtLeast(version, 7, 2);

  /** The user a request acts as, or the error Zabbix 6.0 gives. */
  const authenticate = (auth: unknown, authorization: string | undefined): string => {
    const bearer = headerAuth ? /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] : undefined;
    const credential = bearer ?? (typeof auth === 'string' ? auth : undefined);
    if (credential === undefined) throw new RpcError('invalidParams', 'Not authorised.');
    const token = state.tokens.get(credential);
    if (token) {
      if (token.expiresAt !== 0 && token.expiresAt <= state.clock()) {
        throw new RpcError('application', 'API token expired.');
      }
      return token.userid;
    }
    const userid = state.sessions.get(credential);
    if (userid === undefined) throw new RpcError('invalidParams', 'Session terminated, re-login, please.');
    return userid;
  };

  const call = (request: unknown, authorization: string | undefined): Record<string, unknown> => {
    const r = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
    const id = r.id ?? null;
    let method = typeof r.method === 'string' ? r.method : '?';
    try {
      if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        throw new RpcError('invalidRequest', 'Invalid parameter "/": an array is expected.');
      }
      if (r.jsonrpc !== '2.0')
        throw new RpcError('invalidRequest', 'Invalid parameter "/jsonrpc": value must be "2.0".');
      if (typeof r.method !== 'string') {
        throw new RpcError('invalidRequest', 'Invalid parameter "/": the parameter "method" is missing.');
      }
      method = r.method;
      const known = ['jsonrpc', 'method', 'params', 'id', ...(authPropertyRemoved ? [] : ['auth'])];
      for (const k of Object.keys(r)) {
        if (!known.includes(k))
          throw new RpcError('invalidRequest', `Invalid parameter "/": unexpected parameter "${k}".`);
      }
      const [api] = method.split('.');
      const handler = METHODS[method];
      if (method !== 'apiinfo.version' && handler === undefined) {
        throw new RpcError(
          'methodNotFound',
          APIS.has(api ?? '') ? `Incorrect method "${method}".` : `Incorrect API "${api}".`,
        );
      }
      if (UNAUTHENTICATED.has(method)) {
        if (r.auth !== undefined && r.auth !== null) {
          throw new RpcError(
            'invalidParams',
            `The "${method}" method must be called without the "auth" parameter.`,
          );
        }
      } else {
        authenticate(r.auth, authorization);
      }
      const params = r.params ?? {};
      let result: unknown;
      if (method === 'apiinfo.version') {
        validate(params, {});
        result = version;
      } else {
        const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
        const sessionid = typeof r.auth === 'string' ? r.auth : (bearer ?? null);
        result = handler?.(state, params, { sessionid });
      }
      calls.push({ time: Date.now(), method, params: r.params, auth: r.auth, authorization });
      return { jsonrpc: '2.0', result, id };
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      calls.push({ time: Date.now(), method, params: r.params, auth: r.auth, authorization, error: e.data });
      return { jsonrpc: '2.0', error: e.toJson(), id };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (faults.down) {
      req.socket.destroy();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/api_jsonrpc.php') {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
      return;
    }
    if (faults.httpStatus !== undefined) {
      res.writeHead(faults.httpStatus, { 'content-type': 'text/html' }).end('<h1>Service Unavailable</h1>');
      return;
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (req.method !== 'POST' || !ALLOWED_CONTENT_TYPES.has(contentType)) {
      // api_jsonrpc.php: `HTTP/1.0 412 Precondition Failed` and nothing else.
      res.writeHead(412).end();
      return;
    }
    const text = await readBody(req);
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      const error = new RpcError(
        'parse',
        'Invalid JSON. An error occurred on the server while parsing the JSON text.',
      ).toJson();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', error, id: null }));
      return;
    }
    const methods = (Array.isArray(request) ? request : [request]).map((r) =>
      typeof r === 'object' && r !== null && typeof (r as { method?: unknown }).method === 'string'
        ? (r as { method: string }).method
        : '?',
    );
    for (const m of methods) {
      const n = (inFlight.get(m) ?? 0) + 1;
      inFlight.set(m, n);
      peak.set(m, Math.max(peak.get(m) ?? 0, n));
    }
    try {
      if (faults.delayMs) await new Promise((r) => setTimeout(r, faults.delayMs));
      const authorization = req.headers.authorization;
      const answer = Array.isArray(request)
        ? request.map((r) => call(r, authorization))
        : call(request, authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } finally {
      for (const m of methods) inFlight.set(m, (inFlight.get(m) ?? 1) - 1);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiUrl: `${url}/api_jsonrpc.php`,
    state,
    faults,
    calls,
    maxConcurrent: (method) => peak.get(method) ?? 0,
    webhookBody(eventid, kind) {
      const p = state.problem(eventid);
      const t = state.triggers.get(p.objectid);
      const host = state.hosts.get(t?.hostids[0] ?? '');
      const recovery = p.r_eventid === null ? undefined : state.events.get(p.r_eventid);
      if (kind === 'recovery' && recovery === undefined)
        throw new Error(`problem ${eventid} has not recovered`);
      const recovered = kind === 'recovery';
      return {
        event_id: p.eventid,
        event_value: recovered ? 0 : 1,
        event_update_status: 0,
        event_status: recovered ? 'RESOLVED' : 'PROBLEM',
        event_name: p.name,
        recovery_event_id: recovered ? (recovery?.eventid ?? null) : null,
        trigger_id: p.objectid,
        trigger_name: t ? state.expand(t) : null,
        host: host?.host ?? null,
        host_name: host?.name ?? null,
        severity: { name: SEVERITY_NAMES[p.severity] ?? null, number: p.severity },
        event_tags: p.tags.map((x) => ({ tag: x.tag, value: x.value })),
        event_time: isoSeconds(p.clock),
        recovery_time: recovered && recovery ? isoSeconds(recovery.clock) : null,
        event_ack: p.acknowledged === 1,
        update: null,
        subject: `${recovered ? 'Resolved' : 'Problem'}: ${p.name}`,
        message: `Problem name: ${p.name}\nHost: ${host?.name ?? ''}\nSeverity: ${SEVERITY_NAMES[p.severity]}\nOriginal problem ID: ${p.eventid}\n`,
        send_to: 'bridge',
        event_url: `${url}/tr_events.php?triggerid=${p.objectid}&eventid=${p.eventid}`,
      };
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
