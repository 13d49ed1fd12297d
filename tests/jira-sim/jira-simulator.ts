/**
 * A stateful Jira simulator for tests: an HTTP server on 127.0.0.1 speaking enough of Jira Cloud's
 * REST v3 / v2 (or Data Center's v2) for the bridge, with fault injection and a record of every call.
 *
 *   const sim = await startJiraSimulator();
 *   // point the client at sim.url with sim.credentials
 *   sim.faults.set({ every429: 3, retryAfterSeconds: 2 });
 *   sim.transitionIssue('OPS-1', 'Done', { resolution: 'Fixed' }); // a person acting in Jira
 *   await sim.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AdfDoc, adfToText, textToAdf } from './adf.js';
import {
  findIssueType,
  findLinkType,
  findPriority,
  findResolution,
  STATUS_CATEGORIES,
  statusOf,
} from './catalog.js';
import { JiraError } from './errors.js';
import { FaultController } from './faults.js';
import type { ProjectSeed, SimIssue, SimUser, VersionSeed } from './model.js';
import type { ApiVersion, JiraFlavor } from './render.js';
import { route } from './routes.js';
import { JiraState } from './state.js';

export type { AdfDoc } from './adf.js';
export { adfToText, isAdfDoc, textToAdf } from './adf.js';
export type { FaultMatch, FaultSettings } from './faults.js';
export type { ProjectSeed, VersionSeed } from './model.js';
export type { JiraFlavor } from './render.js';
export { FaultController };

/** Credentials the simulator accepts. Requests with neither answer 401. */
export interface JiraSimulatorAuth {
  /** Basic auth, as Jira Cloud takes it: account email and API token. */
  basic?: { username: string; password: string };
  /** A personal access token sent as `Authorization: Bearer <token>` (Data Center PATs, OAuth on Cloud). */
  bearerToken?: string;
}

export interface JiraSimulatorOptions {
  /** `cloud` (default): v2 + v3, `/search/jql`, old `/search` answers 410. `datacenter`: v2 only with `/search`. */
  flavor?: JiraFlavor;
  /** Accepted credentials (default {@link DEFAULT_SIM_AUTH}); `false` accepts anonymous requests. */
  auth?: JiraSimulatorAuth | false;
  /** Projects created at start and on every `reset()` (default: one `OPS` service-desk project). */
  projects?: ProjectSeed[];
  /** The account requests act as (reporter, comment author, `/myself`). */
  user?: Partial<SimUser>;
  /** Custom field ids (e.g. `customfield_10010`) that create/edit accept and store as given, with their names. */
  customFields?: Record<string, string>;
  /** Clock for created/updated times and search lag (default `Date.now`). */
  now?: () => number;
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

export const DEFAULT_SIM_AUTH: Readonly<Required<JiraSimulatorAuth>> = {
  basic: { username: 'bridge@example.com', password: 'jira-api-token' },
  bearerToken: 'jira-personal-access-token',
};

export const DEFAULT_PROJECTS: readonly ProjectSeed[] = [
  {
    key: 'OPS',
    name: 'Operations',
    projectTypeKey: 'service_desk',
    components: ['database', 'network', 'web'],
  },
];

export interface SimCall {
  seq: number;
  /** Epoch milliseconds when the request arrived. */
  time: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  /** Parsed JSON body (raw text if it was not JSON; undefined if empty). */
  body: unknown;
  /** The answer's status, or null when the connection was destroyed instead. */
  status: number | null;
  /** Parsed JSON answer, undefined when there was none. */
  responseBody: unknown;
  responseHeaders: Record<string, string>;
  /** Which injected fault shaped this call, if any. */
  fault?: 'drop' | 'drop-after-processing' | 'status';
  durationMs: number;
}

export interface IssueSnapshot {
  id: string;
  key: string;
  project: string;
  summary: string;
  description: AdfDoc | null;
  descriptionText: string | null;
  issueType: string;
  priority: string;
  labels: string[];
  components: string[];
  fixVersions: string[];
  duedate: string | null;
  status: string;
  statusCategory: string;
  resolution: string | null;
  links: { type: string; direction: 'outward' | 'inward'; phrase: string; issue: string }[];
  comments: { id: string; author: string; body: AdfDoc; text: string; created: string }[];
  customFields: Record<string, unknown>;
  created: string;
  updated: string;
}

export interface LinkSnapshot {
  id: string;
  type: string;
  /** The issue the outward phrase applies to: `${source} ${outward} ${target}`. */
  source: string;
  target: string;
  sentence: string;
}

export interface VersionSnapshot {
  id: string;
  project: string;
  name: string;
  description?: string;
  released: boolean;
  archived: boolean;
  releaseDate?: string;
  startDate?: string;
}

/** An issue created directly in state, as a person would in Jira's UI. */
export interface IssueSeed {
  project: string;
  summary: string;
  issueType?: string;
  priority?: string;
  labels?: string[];
  description?: string | AdfDoc;
  components?: string[];
  fixVersions?: string[];
  duedate?: string;
}

export interface JiraSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly flavor: JiraFlavor;
  /** The credentials the simulator accepts (`false` when it accepts anyone). */
  readonly credentials: JiraSimulatorAuth | false;
  readonly user: Readonly<SimUser>;
  readonly faults: FaultController;
  /** Every request received, in order (a live, read-only view). */
  readonly calls: readonly SimCall[];
  clearCalls(): void;
  issues(): IssueSnapshot[];
  issue(key: string): IssueSnapshot | undefined;
  links(): LinkSnapshot[];
  versions(projectKey?: string): VersionSnapshot[];
  createProject(seed: ProjectSeed): { id: string; key: string; name: string };
  addComponent(projectKey: string, name: string): { id: string; name: string };
  createVersion(projectKey: string, seed: string | VersionSeed): VersionSnapshot;
  /** A person releasing a version (released: true, releaseDate today unless given). */
  releaseVersion(projectKey: string, name: string, releaseDate?: string): VersionSnapshot;
  createIssue(seed: IssueSeed): IssueSnapshot;
  /** A person moving an issue through the workflow by transition name ("Start Progress", "Done", "Resolve", "Reopen"...). */
  transitionIssue(key: string, transitionName: string, options?: { resolution?: string }): IssueSnapshot;
  /** A person commenting (plain text). */
  addComment(key: string, text: string): void;
  /** Back to the initial state: seeded projects only, no calls, no faults, server up. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const API_PATH = /^\/rest\/api\/(2|3)(\/.*)$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}

function headerRecord(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function authenticate(header: string | undefined, auth: JiraSimulatorAuth | false): boolean {
  if (auth === false) return true;
  if (!header) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'basic' && auth.basic) {
    const expected = `${auth.basic.username}:${auth.basic.password}`;
    return Buffer.from(value, 'base64').toString('utf8') === expected;
  }
  if (scheme?.toLowerCase() === 'bearer' && auth.bearerToken !== undefined) return value === auth.bearerToken;
  return false;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

export async function startJiraSimulator(options: JiraSimulatorOptions = {}): Promise<JiraSimulator> {
  const flavor: JiraFlavor = options.flavor ?? 'cloud';
  const auth: JiraSimulatorAuth | false = options.auth === undefined ? DEFAULT_SIM_AUTH : options.auth;
  const now = options.now ?? Date.now;
  const user: SimUser = {
    accountId: '5b10ac8d82e05b22cc7d4ef5',
    name: 'incident-bridge',
    displayName: 'Incident Bridge',
    emailAddress: auth !== false && auth.basic ? auth.basic.username : 'bridge@example.com',
    timeZone: 'Etc/UTC',
    ...options.user,
  };
  const seeds = options.projects ?? DEFAULT_PROJECTS;
  const customFields = options.customFields ?? {};
  const freshState = (): JiraState => {
    const s = new JiraState({ now, customFields });
    for (const seed of seeds) s.createProject(seed);
    return s;
  };
  let state = freshState();
  const calls: SimCall[] = [];
  let seq = 0;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': JSON_TYPE });
        res.end(JSON.stringify({ errorMessages: [String(error)], errors: {} }));
      }
    });
  });
  let port = options.port ?? 0;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen();
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const faults = new FaultController(async (down) => {
    if (down) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    } else {
      await listen();
    }
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = now();
    const startedHr = performance.now();
    const parsedUrl = new URL(req.url ?? '/', url);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let body: unknown;
    let bodyIsJson = true;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        bodyIsJson = false;
      }
    }
    const call: SimCall = {
      seq: ++seq,
      time: started,
      method,
      path: parsedUrl.pathname,
      query: queryRecord(parsedUrl.searchParams),
      headers: headerRecord(req.headers),
      body,
      status: null,
      responseBody: undefined,
      responseHeaders: {},
      durationMs: 0,
    };
    calls.push(call);

    const { latencyMs } = faults.settings;
    if (latencyMs > 0) await sleep(latencyMs);

    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      const allHeaders: Record<string, string> = { ...headers };
      if (payload !== undefined) allHeaders['content-type'] = JSON_TYPE;
      call.status = status;
      call.responseBody = payload === undefined ? undefined : structuredClone(payload);
      call.responseHeaders = allHeaders;
      call.durationMs = performance.now() - startedHr;
      if (res.destroyed) return;
      res.writeHead(status, allHeaders);
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const drop = (kind: 'drop' | 'drop-after-processing'): void => {
      call.fault = kind;
      call.durationMs = performance.now() - startedHr;
      req.socket.destroy();
    };

    const decision = faults.beforeProcessing(method, call.path);
    if (decision.kind === 'drop') return drop('drop');
    if (decision.kind === 'status') {
      call.fault = 'status';
      const headers: Record<string, string> = {};
      if (decision.status === 429) {
        headers['x-ratelimit-limit'] = '100';
        headers['x-ratelimit-remaining'] = '0';
        headers['ratelimit-reason'] = 'jira-quota-tenant-based';
        if (decision.retryAfterSeconds !== null) {
          headers['retry-after'] = String(decision.retryAfterSeconds);
          headers['x-ratelimit-reset'] = new Date(now() + decision.retryAfterSeconds * 1000).toISOString();
        }
        return send(429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, headers);
      }
      return send(decision.status, { errorMessages: ['Internal server error'], errors: {} });
    }

    if (!authenticate(req.headers.authorization, auth)) {
      return send(
        401,
        {
          errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
          errors: {},
        },
        { 'www-authenticate': 'Basic realm="protected-area"' },
      );
    }

    let reply: { status: number; body?: unknown; headers?: Record<string, string> };
    const match = API_PATH.exec(call.path);
    const apiVersion = match ? (Number(match[1]) as ApiVersion) : undefined;
    try {
      if (!match || apiVersion === undefined || (flavor === 'datacenter' && apiVersion === 3)) {
        throw new JiraError(404, [`No resource found for ${method} ${call.path}`]);
      }
      if (raw !== '' && (method === 'POST' || method === 'PUT')) {
        const type = req.headers['content-type'] ?? '';
        if (!type.toLowerCase().startsWith('application/json')) {
          throw new JiraError(415, [`Unsupported media type '${type}'; send application/json.`]);
        }
        if (!bodyIsJson)
          throw new JiraError(400, ['Unexpected character in the request body: it is not valid JSON.']);
      }
      reply = route({
        method,
        apiVersion,
        subPath: match[2] ?? '/',
        query: parsedUrl.searchParams,
        body,
        user,
        flavor,
        baseUrl: url,
        state,
        searchLagMs: faults.settings.searchLagMs,
      });
    } catch (error) {
      // A JiraError is an answer Jira would give; anything else is a simulator bug, reported loudly as a 500.
      reply =
        error instanceof JiraError
          ? { status: error.status, body: error.body() }
          : { status: 500, body: { errorMessages: [`jira simulator bug: ${String(error)}`], errors: {} } };
    }
    if (faults.dropAfterProcessing(method, call.path)) return drop('drop-after-processing');
    send(reply.status, reply.body, reply.headers);
  }

  const snapshot = (issue: SimIssue): IssueSnapshot => {
    const status = statusOf(issue.statusId);
    const project = state.projectOf(issue);
    return {
      id: issue.id,
      key: issue.key,
      project: project.key,
      summary: issue.summary,
      description: issue.description === null ? null : structuredClone(issue.description),
      descriptionText: issue.description === null ? null : adfToText(issue.description),
      issueType: findIssueType(issue.issueTypeId)?.name ?? '',
      priority: findPriority(issue.priorityId)?.name ?? '',
      labels: [...issue.labels],
      components: issue.componentIds.map((id) => project.components.find((c) => c.id === id)?.name ?? id),
      fixVersions: issue.fixVersionIds.map((id) => state.findVersion(id)?.name ?? id),
      duedate: issue.duedate,
      status: status.name,
      statusCategory: STATUS_CATEGORIES[status.category].name,
      resolution: issue.resolutionId === null ? null : (findResolution(issue.resolutionId)?.name ?? null),
      links: state.linksOf(issue).map(({ type, direction, other }) => ({
        type: type.name,
        direction,
        phrase: direction === 'outward' ? type.outward : type.inward,
        issue: other.key,
      })),
      comments: state.commentsOf(issue).map((c) => ({
        id: c.id,
        author: c.author.displayName,
        body: structuredClone(c.body),
        text: adfToText(c.body),
        created: new Date(c.created).toISOString(),
      })),
      customFields: structuredClone(issue.customFields),
      created: new Date(issue.created).toISOString(),
      updated: new Date(issue.updated).toISOString(),
    };
  };

  const versionSnapshot = (id: string): VersionSnapshot => {
    const version = state.requireVersion(id);
    const project = state.projects.find((p) => p.id === version.projectId);
    return { ...version, project: project?.key ?? '' };
  };

  const sim: JiraSimulator = {
    url,
    flavor,
    credentials: auth,
    user,
    faults,
    calls,
    clearCalls: () => {
      calls.length = 0;
    },
    issues: () => state.issues.map(snapshot),
    issue: (key) => {
      const issue = state.findIssue(key);
      return issue ? snapshot(issue) : undefined;
    },
    links: () =>
      state.links.flatMap((link) => {
        const source = state.issues.find((i) => i.id === link.sourceId);
        const target = state.issues.find((i) => i.id === link.targetId);
        const type = findLinkType(link.typeId);
        if (!source || !target || !type) return [];
        return [
          {
            id: link.id,
            type: type.name,
            source: source.key,
            target: target.key,
            sentence: `${source.key} ${type.outward} ${target.key}`,
          },
        ];
      }),
    versions: (projectKey) => {
      const project = projectKey === undefined ? undefined : state.requireProject(projectKey);
      return state.versions
        .filter((v) => !project || v.projectId === project.id)
        .map((v) => versionSnapshot(v.id));
    },
    createProject: (seed) => {
      const { id, key, name } = state.createProject(seed);
      return { id, key, name };
    },
    addComponent: (projectKey, name) => ({ ...state.addComponent(projectKey, name) }),
    createVersion: (projectKey, seed) => {
      const project = state.requireProject(projectKey);
      const fields = typeof seed === 'string' ? { name: seed } : seed;
      return versionSnapshot(state.createVersion({ ...fields, projectId: project.id }).id);
    },
    releaseVersion: (projectKey, name, releaseDate) => {
      const project = state.requireProject(projectKey);
      const version = state.projectVersions(project.id).find((v) => v.name === name);
      if (!version) throw new JiraError(404, [`No version '${name}' in project ${project.key}`]);
      const date = releaseDate ?? version.releaseDate ?? new Date(now()).toISOString().slice(0, 10);
      state.updateVersion(version.id, { released: true, releaseDate: date });
      return versionSnapshot(version.id);
    },
    createIssue: (seed) => {
      const description =
        seed.description === undefined
          ? undefined
          : typeof seed.description === 'string'
            ? textToAdf(seed.description)
            : seed.description;
      const fields: Record<string, unknown> = {
        project: { key: seed.project },
        summary: seed.summary,
        issuetype: { name: seed.issueType ?? 'Task' },
      };
      if (seed.priority !== undefined) fields.priority = { name: seed.priority };
      if (seed.labels !== undefined) fields.labels = seed.labels;
      if (description !== undefined) fields.description = description;
      if (seed.components !== undefined) fields.components = seed.components.map((name) => ({ name }));
      if (seed.fixVersions !== undefined) fields.fixVersions = seed.fixVersions.map((name) => ({ name }));
      if (seed.duedate !== undefined) fields.duedate = seed.duedate;
      return snapshot(state.createIssue({ fields }, 'adf', user));
    },
    transitionIssue: (key, transitionName, opts = {}) =>
      snapshot(state.transitionByName(key, transitionName, opts.resolution)),
    addComment: (key, text) => {
      state.addComment(key, text, 'wiki', user);
    },
    reset: async () => {
      await faults.clear();
      state = freshState();
      calls.length = 0;
      seq = 0;
    },
    close: async () => {
      if (faults.isDown) return;
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return sim;
}
