/**
 * Checks HTTP exchanges with Jira's `/rest/api/3/...` against Atlassian's OpenAPI description
 * (vendored beside this file), using openapi-backend's router and Ajv-based validator.
 *
 * The 3.5 MB document is parsed and dereferenced once per process; validators for an operation are
 * compiled the first time that operation is seen (openapi-backend's `quick` mode).
 */
import { readFileSync } from 'node:fs';
import { OpenAPIBackend, type Operation } from 'openapi-backend';

export const JIRA_OPENAPI_FILE = new URL('./jira-platform-openapi-v3.json', import.meta.url);

export interface ContractRequest {
  method: string;
  /** Path such as `/rest/api/3/issue/OPS-1` (no query string). */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  /** Parsed JSON body; undefined when there is none. */
  body?: unknown;
}

export interface ContractResponse {
  status: number;
  /** Parsed JSON body; undefined when the answer had none. */
  body?: unknown;
}

export interface ContractResult {
  operationId: string | undefined;
  valid: boolean;
  errors: string[];
}

export interface JiraContract {
  /** The OpenAPI operationId serving `method path`, if the description has one. */
  operationIdFor(method: string, path: string): string | undefined;
  validateRequest(request: ContractRequest): ContractResult;
  validateResponse(request: ContractRequest, response: ContractResponse): ContractResult;
}

/**
 * Formats the description uses that Ajv does not know. Dates in Jira's answers use `+0000` offsets
 * (no colon), so `date-time` accepts both that and RFC 3339.
 */
const FORMATS: Record<string, RegExp | ((value: string) => boolean)> = {
  uri: (value) => URL.canParse(value),
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

function describeErrors(
  errors: { instancePath?: string; message?: string; params?: unknown }[] | null | undefined,
): string[] {
  return (errors ?? []).map(
    (e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params ?? {})}`,
  );
}

function documentedStatus(operation: Operation, status: number): boolean {
  const codes = Object.keys(operation.responses ?? {});
  return codes.some(
    (code) => code === String(status) || code === `${String(status).charAt(0)}XX` || code === 'default',
  );
}

function createContract(): JiraContract {
  const definition = JSON.parse(readFileSync(JIRA_OPENAPI_FILE, 'utf8'));
  const api = new OpenAPIBackend({
    definition,
    quick: true,
    validate: true,
    strict: false,
    customizeAjv: (ajv) => {
      for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format);
      return ajv;
    },
  });
  api.init();

  const match = (method: string, path: string): Operation | undefined => {
    if (!path.startsWith('/rest/api/3/')) return undefined;
    return api.router.matchOperation({ method: method.toLowerCase(), path, headers: {} }) || undefined;
  };

  return {
    operationIdFor: (method, path) => match(method, path)?.operationId,

    validateRequest(request) {
      const operation = match(request.method, request.path);
      if (!operation?.operationId) {
        return {
          operationId: undefined,
          valid: false,
          errors: [`no operation for ${request.method} ${request.path} in the OpenAPI description`],
        };
      }
      const headers: Record<string, string> = { ...(request.headers ?? {}) };
      if (
        request.body !== undefined &&
        !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
      ) {
        headers['content-type'] = 'application/json';
      }
      const result = api.validator.validateRequest(
        {
          method: request.method.toLowerCase(),
          path: request.path,
          query: request.query ?? {},
          headers,
          body: request.body,
        },
        operation,
      );
      const errors = describeErrors(result.errors);
      return { operationId: operation.operationId, valid: errors.length === 0, errors };
    },

    validateResponse(request, response) {
      const operation = match(request.method, request.path);
      if (!operation?.operationId) {
        return {
          operationId: undefined,
          valid: false,
          errors: [`no operation for ${request.method} ${request.path} in the OpenAPI description`],
        };
      }
      if (!documentedStatus(operation, response.status)) {
        return {
          operationId: operation.operationId,
          valid: false,
          errors: [`status ${response.status} is not documented for ${operation.operationId}`],
        };
      }
      const result = api.validator.validateResponse(response.body, operation, response.status);
      const errors = describeErrors(result.errors);
      return { operationId: operation.operationId, valid: errors.length === 0, errors };
    },
  };
}

let cached: JiraContract | undefined;

/** The contract for Jira Cloud's REST v3, loaded on first use and shared afterwards. */
export function jiraContract(): JiraContract {
  cached ??= createContract();
  return cached;
}

/** A request the simulator recorded, with the answer it gave. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly status: number | null;
  readonly responseBody: unknown;
}

/** Checks recorded calls against the description: every problem found, and the operations they used. */
export function checkCalls(calls: readonly RecordedCall[]): { problems: string[]; operations: Set<string> } {
  const contract = jiraContract();
  const problems: string[] = [];
  const operations = new Set<string>();
  for (const c of calls) {
    const request: ContractRequest = {
      method: c.method,
      path: c.path,
      query: c.query,
      headers: c.headers,
      body: c.body,
    };
    const req = contract.validateRequest(request);
    const res = contract.validateResponse(request, { status: c.status ?? 0, body: c.responseBody });
    if (req.operationId) operations.add(req.operationId);
    for (const e of req.errors) problems.push(`${c.method} ${c.path} request: ${e}`);
    for (const e of res.errors) problems.push(`${c.method} ${c.path} -> ${c.status} response: ${e}`);
  }
  return { problems, operations };
}
