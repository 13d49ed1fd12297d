/** The simulator's REST endpoints, for `/rest/api/2/...` and `/rest/api/3/...`. */
import { LINK_TYPES, PRIORITIES, RESOLUTIONS, STATUSES } from './catalog.js';
import { JiraError } from './errors.js';
import type { RichTextMode, SimIssue, SimUser } from './model.js';
import {
  type ApiVersion,
  commentJson,
  issueJson,
  type JiraFlavor,
  jiraTime,
  linkTypeJson,
  priorityJson,
  projectJson,
  type RenderContext,
  resolutionJson,
  statusJson,
  transitionJson,
  userJson,
  versionJson,
} from './render.js';
import type { JiraState } from './state.js';

export interface RouteRequest {
  method: string;
  apiVersion: ApiVersion;
  /** Path below `/rest/api/{version}`, e.g. `/issue/OPS-1`. */
  subPath: string;
  query: URLSearchParams;
  body: unknown;
  user: SimUser;
  flavor: JiraFlavor;
  baseUrl: string;
  state: JiraState;
  searchLagMs: number;
}

export interface RouteReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (req: RouteRequest, params: string[]) => RouteReply;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  /** Only on Jira Cloud (Data Center has no such resource). */
  cloudOnly?: boolean;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ctxOf(req: RouteRequest): RenderContext {
  return { baseUrl: req.baseUrl, apiVersion: req.apiVersion, flavor: req.flavor, state: req.state };
}

function modeOf(req: RouteRequest): RichTextMode {
  return req.apiVersion === 3 ? 'adf' : 'wiki';
}

function param(params: string[], index: number): string {
  return decodeURIComponent(params[index] ?? '');
}

/** Values of a list parameter given repeated and/or comma-separated. */
function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name);
  return values.length === 0 ? undefined : values.flatMap((v) => v.split(','));
}

function intParam(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new JiraError(400, [`The value '${String(raw)}' is invalid for ${name}.`]);
  return n;
}

function fieldsOf(raw: unknown, fallback: string[]): string[] {
  if (Array.isArray(raw)) return raw.filter((f): f is string => typeof f === 'string');
  if (typeof raw === 'string') return raw.split(',');
  return fallback;
}

// ---------------------------------------------------------------- issues

const createIssue: Handler = (req) => {
  const issue = req.state.createIssue(req.body, modeOf(req), req.user);
  return {
    status: 201,
    body: {
      id: issue.id,
      key: issue.key,
      self: `${req.baseUrl}/rest/api/${req.apiVersion}/issue/${issue.id}`,
    },
  };
};

const getIssue: Handler = (req, params) => {
  const issue = req.state.requireIssue(param(params, 0));
  const fields = listParam(req.query, 'fields') ?? ['*all'];
  return { status: 200, body: issueJson(ctxOf(req), issue, fields) };
};

const editIssue: Handler = (req, params) => {
  const issue = req.state.editIssue(param(params, 0), req.body, modeOf(req));
  if (req.query.get('returnIssue') === 'true')
    return { status: 200, body: issueJson(ctxOf(req), issue, ['*all']) };
  return { status: 204 };
};

const addComment: Handler = (req, params) => {
  const body = isRecord(req.body) ? req.body.body : undefined;
  const comment = req.state.addComment(param(params, 0), body, modeOf(req), req.user);
  return { status: 201, body: commentJson(ctxOf(req), comment) };
};

const listComments: Handler = (req, params) => {
  const issue = req.state.requireIssue(param(params, 0));
  const startAt = intParam(req.query.get('startAt') ?? undefined, 'startAt', 0);
  const maxResults = Math.min(intParam(req.query.get('maxResults') ?? undefined, 'maxResults', 100), 5000);
  const all = [...req.state.commentsOf(issue)];
  if (req.query.get('orderBy') === '-created') all.reverse();
  const page = all.slice(startAt, startAt + maxResults);
  const ctx = ctxOf(req);
  return {
    status: 200,
    body: { startAt, maxResults, total: all.length, comments: page.map((c) => commentJson(ctx, c)) },
  };
};

const getTransitions: Handler = (req, params) => {
  const issue = req.state.requireIssue(param(params, 0));
  const withFields = (req.query.get('expand') ?? '').split(',').includes('transitions.fields');
  const ctx = ctxOf(req);
  return {
    status: 200,
    body: {
      expand: 'transitions',
      transitions: req.state.transitionsFor(issue).map((t) => transitionJson(ctx, t, withFields)),
    },
  };
};

const doTransition: Handler = (req, params) => {
  req.state.doTransition(param(params, 0), req.body, modeOf(req), req.user);
  return { status: 204 };
};

const linkIssues: Handler = (req) => {
  req.state.linkIssues(req.body, modeOf(req), req.user);
  return { status: 201 };
};

// ---------------------------------------------------------------- search

interface SearchArgs {
  jql: string | undefined;
  fields: string[] | undefined;
  maxResults: unknown;
  startAt: unknown;
  nextPageToken: unknown;
}

function searchArgs(req: RouteRequest): SearchArgs {
  if (req.method === 'POST') {
    const body = isRecord(req.body) ? req.body : {};
    return {
      jql: typeof body.jql === 'string' ? body.jql : undefined,
      fields: body.fields === undefined ? undefined : fieldsOf(body.fields, []),
      maxResults: body.maxResults,
      startAt: body.startAt,
      nextPageToken: body.nextPageToken,
    };
  }
  return {
    jql: req.query.get('jql') ?? undefined,
    fields: listParam(req.query, 'fields'),
    maxResults: req.query.get('maxResults') ?? undefined,
    startAt: req.query.get('startAt') ?? undefined,
    nextPageToken: req.query.get('nextPageToken') ?? undefined,
  };
}

function encodeToken(offset: number, jql: string): string {
  return Buffer.from(JSON.stringify({ offset, jql }), 'utf8').toString('base64url');
}

function decodeToken(token: unknown, jql: string): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (isRecord(parsed) && typeof parsed.offset === 'number' && parsed.jql === jql) return parsed.offset;
  } catch {
    // fall through to the error below
  }
  throw new JiraError(400, ['The provided next page token is invalid or expired.']);
}

/** Jira Cloud's `/search/jql`: nextPageToken paging, no total, `fields` defaults to `id`. */
const searchJql: Handler = (req) => {
  const args = searchArgs(req);
  if (!req.state.isBounded(args.jql)) {
    throw new JiraError(400, [
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    ]);
  }
  const jql = args.jql ?? '';
  const fields = args.fields ?? ['id'];
  const idOnly = fields.every((f) => f === 'id' || f === 'key');
  const maxResults = Math.max(1, Math.min(intParam(args.maxResults, 'maxResults', 50), idOnly ? 5000 : 100));
  const offset = decodeToken(args.nextPageToken, jql);
  const found = req.state.search(jql, req.state.now() - req.searchLagMs);
  const page = found.slice(offset, offset + maxResults);
  const isLast = offset + maxResults >= found.length;
  const ctx = ctxOf(req);
  const body: Json = { issues: page.map((issue: SimIssue) => issueJson(ctx, issue, fields, true)), isLast };
  if (!isLast) body.nextPageToken = encodeToken(offset + maxResults, jql);
  return { status: 200, body };
};

/** The old `/search`: startAt/maxResults/total. Data Center only; Jira Cloud answers 410. */
const searchLegacy: Handler = (req) => {
  if (req.flavor === 'cloud') {
    throw new JiraError(410, [
      'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. ' +
        'A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
    ]);
  }
  const args = searchArgs(req);
  const fields = args.fields ?? ['*navigable'];
  const startAt = intParam(args.startAt, 'startAt', 0);
  const maxResults = Math.min(intParam(args.maxResults, 'maxResults', 50), 1000);
  const found = req.state.search(args.jql);
  const ctx = ctxOf(req);
  return {
    status: 200,
    body: {
      expand: 'schema,names',
      startAt,
      maxResults,
      total: found.length,
      issues: found.slice(startAt, startAt + maxResults).map((issue) => issueJson(ctx, issue, fields, true)),
    },
  };
};

// ---------------------------------------------------------------- metadata, projects, versions

const getLinkTypes: Handler = (req) => ({
  status: 200,
  body: { issueLinkTypes: LINK_TYPES.map((t) => linkTypeJson(ctxOf(req), t)) },
});

const getPriorities: Handler = (req) => ({
  status: 200,
  body: PRIORITIES.map((p) => priorityJson(ctxOf(req), p)),
});

const getResolutions: Handler = (req) => ({
  status: 200,
  body: RESOLUTIONS.map((r) => resolutionJson(ctxOf(req), r)),
});

const getStatuses: Handler = (req) => ({ status: 200, body: STATUSES.map((s) => statusJson(ctxOf(req), s)) });

const getProject: Handler = (req, params) => ({
  status: 200,
  body: projectJson(ctxOf(req), req.state.requireProject(param(params, 0))),
});

const getProjectVersions: Handler = (req, params) => {
  const project = req.state.requireProject(param(params, 0));
  const ctx = ctxOf(req);
  return { status: 200, body: req.state.projectVersions(project.id).map((v) => versionJson(ctx, v)) };
};

const createVersion: Handler = (req) => ({
  status: 201,
  body: versionJson(ctxOf(req), req.state.createVersion(req.body)),
});

const getVersion: Handler = (req, params) => ({
  status: 200,
  body: versionJson(ctxOf(req), req.state.requireVersion(param(params, 0))),
});

const updateVersion: Handler = (req, params) => ({
  status: 200,
  body: versionJson(ctxOf(req), req.state.updateVersion(param(params, 0), req.body)),
});

const myself: Handler = (req) => ({ status: 200, body: userJson(ctxOf(req), req.user) });

const serverInfo: Handler = (req) => {
  const now = req.state.now();
  const cloud = req.flavor === 'cloud';
  return {
    status: 200,
    body: {
      baseUrl: req.baseUrl,
      version: cloud ? '1001.0.0-SNAPSHOT' : '9.12.0',
      versionNumbers: cloud ? [1001, 0, 0] : [9, 12, 0],
      deploymentType: cloud ? 'Cloud' : 'Server',
      buildNumber: cloud ? 100_000 : 9_120_000,
      buildDate: jiraTime(Date.UTC(2026, 0, 1)),
      serverTime: jiraTime(now),
      scmInfo: 'incident-bridge-jira-simulator',
      serverTitle: 'Jira (simulator)',
    },
  };
};

const ISSUE = '/issue/([^/]+)';

const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/issue$/, handler: createIssue },
  { method: 'GET', pattern: new RegExp(`^${ISSUE}$`), handler: getIssue },
  { method: 'PUT', pattern: new RegExp(`^${ISSUE}$`), handler: editIssue },
  { method: 'GET', pattern: new RegExp(`^${ISSUE}/comment$`), handler: listComments },
  { method: 'POST', pattern: new RegExp(`^${ISSUE}/comment$`), handler: addComment },
  { method: 'GET', pattern: new RegExp(`^${ISSUE}/transitions$`), handler: getTransitions },
  { method: 'POST', pattern: new RegExp(`^${ISSUE}/transitions$`), handler: doTransition },
  { method: 'POST', pattern: /^\/issueLink$/, handler: linkIssues },
  { method: 'GET', pattern: /^\/issueLinkType$/, handler: getLinkTypes },
  { method: 'GET', pattern: /^\/search\/jql$/, handler: searchJql, cloudOnly: true },
  { method: 'POST', pattern: /^\/search\/jql$/, handler: searchJql, cloudOnly: true },
  { method: 'GET', pattern: /^\/search$/, handler: searchLegacy },
  { method: 'POST', pattern: /^\/search$/, handler: searchLegacy },
  { method: 'GET', pattern: /^\/priority$/, handler: getPriorities },
  { method: 'GET', pattern: /^\/resolution$/, handler: getResolutions },
  { method: 'GET', pattern: /^\/status$/, handler: getStatuses },
  { method: 'GET', pattern: /^\/project\/([^/]+)$/, handler: getProject },
  { method: 'GET', pattern: /^\/project\/([^/]+)\/versions$/, handler: getProjectVersions },
  { method: 'POST', pattern: /^\/version$/, handler: createVersion },
  { method: 'GET', pattern: /^\/version\/([^/]+)$/, handler: getVersion },
  { method: 'PUT', pattern: /^\/version\/([^/]+)$/, handler: updateVersion },
  { method: 'GET', pattern: /^\/myself$/, handler: myself },
  { method: 'GET', pattern: /^\/serverInfo$/, handler: serverInfo },
];

/** Dispatches a request below `/rest/api/{2,3}`; throws {@link JiraError} for Jira-style error answers. */
export function route(req: RouteRequest): RouteReply {
  const candidates = ROUTES.filter(
    (r) => r.pattern.test(req.subPath) && (req.flavor === 'cloud' || !r.cloudOnly),
  );
  if (candidates.length === 0) {
    throw new JiraError(404, [
      `No resource found for ${req.method} /rest/api/${req.apiVersion}${req.subPath}`,
    ]);
  }
  const found = candidates.find((r) => r.method === req.method);
  if (!found) {
    return {
      status: 405,
      body: { errorMessages: [`Method ${req.method} is not allowed here.`], errors: {} },
      headers: { allow: candidates.map((r) => r.method).join(', ') },
    };
  }
  const params = found.pattern.exec(req.subPath)?.slice(1) ?? [];
  return found.handler(req, params);
}
