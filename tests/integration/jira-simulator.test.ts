import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkCalls, jiraContract } from '../contract/openapi-contract.js';
import { DEFAULT_SIM_AUTH, type JiraSimulator, startJiraSimulator } from '../jira-sim/jira-simulator.js';

interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

interface CreatedIssue {
  id: string;
  key: string;
  self: string;
}

interface SearchPage {
  issues: { id: string; key?: string; fields?: Record<string, unknown> }[];
  isLast: boolean;
  nextPageToken?: string;
}

interface ErrorBody {
  errorMessages: string[];
  errors: Record<string, string>;
}

const BASIC = `Basic ${Buffer.from(`${DEFAULT_SIM_AUTH.basic.username}:${DEFAULT_SIM_AUTH.basic.password}`).toString('base64')}`;

function adf(text: string) {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

async function call<T = unknown>(
  sim: JiraSimulator,
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = BASIC,
): Promise<Reply<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (auth !== null) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
  };
}

function incidentFields(label: string, extra: Record<string, unknown> = {}) {
  return {
    fields: {
      project: { key: 'OPS' },
      summary: `Checkout latency high (${label})`,
      issuetype: { name: 'Incident' },
      priority: { name: 'High' },
      labels: ['incident-bridge', label],
      description: adf('p99 latency above 2s for 10 minutes'),
      ...extra,
    },
  };
}

async function createV3(
  sim: JiraSimulator,
  label: string,
  extra: Record<string, unknown> = {},
): Promise<CreatedIssue> {
  const res = await call<CreatedIssue>(sim, 'POST', '/rest/api/3/issue', incidentFields(label, extra));
  expect(res.status).toBe(201);
  return res.body;
}

describe('Jira simulator, cloud flavour', () => {
  let sim: JiraSimulator;

  beforeAll(async () => {
    sim = await startJiraSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await sim.reset();
  });

  it('creates an issue that search/jql finds by its label, returning only ids by default', async () => {
    const created = await createV3(sim, 'incident-bridge-INC-42');
    await createV3(sim, 'incident-bridge-INC-43');
    expect(created.key).toBe('OPS-1');
    expect(created.self).toBe(`${sim.url}/rest/api/3/issue/${created.id}`);

    const jql = 'project = OPS AND labels = "incident-bridge-INC-42" ORDER BY created DESC';
    const byDefault = await call<SearchPage>(sim, 'POST', '/rest/api/3/search/jql', { jql });
    expect(byDefault.status).toBe(200);
    expect(byDefault.body).toEqual({ issues: [{ id: created.id }], isLast: true });

    const withFields = await call<SearchPage>(sim, 'POST', '/rest/api/3/search/jql', {
      jql,
      fields: ['summary', 'labels', 'status'],
    });
    expect(withFields.body.issues).toHaveLength(1);
    expect(withFields.body.issues[0]).toMatchObject({
      key: 'OPS-1',
      fields: { labels: ['incident-bridge', 'incident-bridge-INC-42'], status: { name: 'To Do' } },
    });
    expect(Object.keys(withFields.body.issues[0]?.fields ?? {}).sort()).toEqual([
      'labels',
      'status',
      'summary',
    ]);
    expect(withFields.body).not.toHaveProperty('total');

    const viaGet = await call<SearchPage>(
      sim,
      'GET',
      `/rest/api/3/search/jql?jql=${encodeURIComponent('labels in ("incident-bridge-INC-42", "incident-bridge-INC-43")')}&fields=key`,
    );
    expect(viaGet.body.issues.map((i) => i.key)).toEqual(['OPS-1', 'OPS-2']);

    const byKey = await call<SearchPage>(sim, 'POST', '/rest/api/3/search/jql', {
      jql: 'key in (OPS-2) AND labels = incident-bridge',
      fields: ['summary'],
    });
    expect(byKey.body.issues.map((i) => i.key)).toEqual(['OPS-2']);

    const none = await call<SearchPage>(sim, 'POST', '/rest/api/3/search/jql', {
      jql: 'labels = "no-such-label"',
    });
    expect(none.body).toEqual({ issues: [], isLast: true });
  });

  it('rejects JQL Jira would reject', async () => {
    const unknownField = await call<ErrorBody>(sim, 'POST', '/rest/api/3/search/jql', { jql: 'foo = bar' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errorMessages[0]).toContain("Field 'foo' does not exist");
    const unknownProject = await call<ErrorBody>(sim, 'POST', '/rest/api/3/search/jql', {
      jql: 'project = NOPE',
    });
    expect(unknownProject.status).toBe(400);
    expect(unknownProject.body.errorMessages).toEqual([
      "The value 'NOPE' does not exist for the field 'project'.",
    ]);
    const unbounded = await call<ErrorBody>(sim, 'POST', '/rest/api/3/search/jql', {
      jql: 'ORDER BY created',
    });
    expect(unbounded.status).toBe(400);
    expect(unbounded.body.errorMessages[0]).toContain('Unbounded JQL');
  });

  it('requires ADF for rich text in v3 and rejects plain strings with 400', async () => {
    const res = await call<ErrorBody>(sim, 'POST', '/rest/api/3/issue', {
      fields: { ...incidentFields('x').fields, description: 'plain text' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errorMessages: [],
      errors: {
        description: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
      },
    });
    expect(sim.issues()).toHaveLength(0);

    const issue = await createV3(sim, 'x');
    const badComment = await call<ErrorBody>(sim, 'POST', `/rest/api/3/issue/${issue.key}/comment`, {
      body: 'still plain',
    });
    expect(badComment.status).toBe(400);
    expect(Object.keys(badComment.body.errors)).toEqual(['comment']);
    const goodComment = await call<{ body: unknown }>(sim, 'POST', `/rest/api/3/issue/${issue.key}/comment`, {
      body: adf('Investigating'),
    });
    expect(goodComment.status).toBe(201);
    expect(goodComment.body.body).toEqual(adf('Investigating'));
    expect(sim.issue(issue.key)?.comments.map((c) => c.text)).toEqual(['Investigating']);
  });

  it('takes and returns strings in v2, the same issue reads as ADF in v3', async () => {
    const created = await call<CreatedIssue>(sim, 'POST', '/rest/api/2/issue', {
      fields: {
        project: { key: 'OPS' },
        summary: 'Disk full on db-1',
        issuetype: { name: 'Incident' },
        description: 'h2. Impact\n\nWrites fail',
      },
    });
    expect(created.status).toBe(201);
    const v2 = await call<{ fields: { description: unknown } }>(
      sim,
      'GET',
      `/rest/api/2/issue/${created.body.key}`,
    );
    expect(v2.body.fields.description).toBe('h2. Impact\n\nWrites fail');
    const v3 = await call<{ fields: { description: unknown } }>(
      sim,
      'GET',
      `/rest/api/3/issue/${created.body.key}?fields=description`,
    );
    expect(v3.body.fields.description).toMatchObject({ type: 'doc', version: 1 });
    expect(v3.body.fields).toEqual({ description: expect.any(Object) });

    const adfInV2 = await call<ErrorBody>(sim, 'POST', '/rest/api/2/issue', {
      fields: { project: { key: 'OPS' }, summary: 's', issuetype: { name: 'Task' }, description: adf('x') },
    });
    expect(adfInV2.status).toBe(400);
    expect(adfInV2.body.errors).toEqual({ description: 'Operation value must be a string' });

    const comment = await call<{ body: unknown }>(
      sim,
      'POST',
      `/rest/api/2/issue/${created.body.key}/comment`,
      {
        body: 'Restarted the service',
      },
    );
    expect(comment.status).toBe(201);
    expect(comment.body.body).toBe('Restarted the service');
  });

  it('reports every field error at once, like Jira', async () => {
    const res = await call<ErrorBody>(sim, 'POST', '/rest/api/3/issue', {
      fields: {
        project: { key: 'OPS' },
        issuetype: { name: 'Incident' },
        labels: ['has space'],
        duedate: 'soon',
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual({
      summary: 'You must specify a summary of the issue.',
      labels: "The label 'has space' contains spaces which is invalid.",
      duedate: 'Error parsing date string: soon',
    });
  });

  it('pages search/jql with nextPageToken and no total', async () => {
    for (let i = 0; i < 7; i++) sim.createIssue({ project: 'OPS', summary: `issue ${i}`, labels: ['paged'] });
    const keys: string[] = [];
    const pageSizes: number[] = [];
    let token: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await call<SearchPage>(sim, 'POST', '/rest/api/3/search/jql', {
        jql: 'labels = paged',
        maxResults: 3,
        fields: ['key'],
        ...(token === undefined ? {} : { nextPageToken: token }),
      });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('total');
      pageSizes.push(res.body.issues.length);
      keys.push(...res.body.issues.map((i) => i.key ?? ''));
      token = res.body.nextPageToken;
      expect(res.body.isLast).toBe(token === undefined);
      if (res.body.isLast) break;
    }
    expect(pageSizes).toEqual([3, 3, 1]);
    expect(keys).toEqual(['OPS-1', 'OPS-2', 'OPS-3', 'OPS-4', 'OPS-5', 'OPS-6', 'OPS-7']);

    const bad = await call<ErrorBody>(sim, 'POST', '/rest/api/3/search/jql', {
      jql: 'labels = paged',
      nextPageToken: 'garbage',
    });
    expect(bad.status).toBe(400);
  });

  it('hides new issues from search/jql while the index lags', async () => {
    sim.faults.set({ searchLagMs: 60_000 });
    const issue = await createV3(sim, 'lagging');
    const res = await call<SearchPage>(sim, 'POST', '/rest/api/3/search/jql', { jql: 'labels = lagging' });
    expect(res.body.issues).toEqual([]);
    const direct = await call(sim, 'GET', `/rest/api/3/issue/${issue.key}`);
    expect(direct.status).toBe(200);
  });

  it('answers 410 for the removed /search on cloud', async () => {
    for (const [method, path] of [
      ['GET', '/rest/api/3/search?jql=project%3DOPS'],
      ['POST', '/rest/api/3/search'],
      ['GET', '/rest/api/2/search?jql=project%3DOPS'],
    ] as const) {
      const res = await call<ErrorBody>(
        sim,
        method,
        path,
        method === 'POST' ? { jql: 'project = OPS' } : undefined,
      );
      expect(res.status, `${method} ${path}`).toBe(410);
      expect(res.body.errorMessages[0]).toContain('/rest/api/3/search/jql');
    }
  });

  it('runs the workflow: transitions, resolution only where the screen has it', async () => {
    const { key } = await createV3(sim, 'wf');
    const list = await call<{ transitions: { id: string; name: string; to: { name: string } }[] }>(
      sim,
      'GET',
      `/rest/api/3/issue/${key}/transitions`,
    );
    expect(list.body.transitions.map((t) => t.name)).toEqual(['Start Progress', 'Done']);
    const byName = new Map(list.body.transitions.map((t) => [t.name, t.id]));

    const notOnScreen = await call<ErrorBody>(sim, 'POST', `/rest/api/3/issue/${key}/transitions`, {
      transition: { id: byName.get('Start Progress') },
      fields: { resolution: { name: 'Fixed' } },
    });
    expect(notOnScreen.status).toBe(400);
    expect(notOnScreen.body.errors.resolution).toContain('not on the appropriate screen');
    expect(sim.issue(key)?.status).toBe('To Do');

    const start = await call(sim, 'POST', `/rest/api/3/issue/${key}/transitions`, {
      transition: { id: byName.get('Start Progress') },
    });
    expect(start.status).toBe(204);
    expect(start.body).toBeUndefined();
    expect(sim.issue(key)).toMatchObject({ status: 'In Progress', resolution: null });

    const next = await call<{ transitions: { id: string; name: string }[] }>(
      sim,
      'GET',
      `/rest/api/3/issue/${key}/transitions?expand=transitions.fields`,
    );
    const resolve = next.body.transitions.find((t) => t.name === 'Resolve');
    expect(resolve).toMatchObject({ fields: { resolution: { key: 'resolution', required: false } } });

    const unknown = await call<ErrorBody>(sim, 'POST', `/rest/api/3/issue/${key}/transitions`, {
      transition: { id: '11' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errorMessages).toEqual(["Transition id '11' is not valid for this issue."]);

    const done = await call(sim, 'POST', `/rest/api/3/issue/${key}/transitions`, {
      transition: { id: resolve?.id },
      fields: { resolution: { name: 'Fixed' } },
      update: { comment: [{ add: { body: adf('Fixed by rollback') } }] },
    });
    expect(done.status).toBe(204);
    const issue = await call<{ fields: Record<string, unknown> }>(
      sim,
      'GET',
      `/rest/api/3/issue/${key}?fields=status,resolution,resolutiondate`,
    );
    expect(issue.body.fields).toMatchObject({
      status: { name: 'Done', statusCategory: { key: 'done' } },
      resolution: { name: 'Fixed' },
      resolutiondate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*\+0000$/),
    });
    expect(sim.issue(key)?.comments.map((c) => c.text)).toEqual(['Fixed by rollback']);

    const resolved = await call<SearchPage>(sim, 'POST', '/rest/api/3/search/jql', {
      jql: 'project = OPS AND resolution = Unresolved',
    });
    expect(resolved.body.issues).toEqual([]);

    sim.transitionIssue(key, 'Reopen');
    expect(sim.issue(key)).toMatchObject({ status: 'To Do', resolution: null });
  });

  it('records Problem/Incident links in the documented direction, and repeating is harmless', async () => {
    const problem = sim.createIssue({
      project: 'OPS',
      summary: 'Connection pool too small',
      issueType: 'Problem',
    });
    const incident = await createV3(sim, 'incident-bridge-INC-7');
    const body = {
      type: { name: 'Problem/Incident' },
      inwardIssue: { key: problem.key },
      outwardIssue: { key: incident.key },
    };
    const first = await call(sim, 'POST', '/rest/api/3/issueLink', body);
    expect(first.status).toBe(201);
    expect(first.body).toBeUndefined();
    const again = await call(sim, 'POST', '/rest/api/3/issueLink', body);
    expect(again.status).toBe(201);
    expect(sim.links()).toEqual([
      expect.objectContaining({
        type: 'Problem/Incident',
        sentence: `${problem.key} causes ${incident.key}`,
      }),
    ]);

    const onProblem = await call<{ fields: { issuelinks: unknown[] } }>(
      sim,
      'GET',
      `/rest/api/3/issue/${problem.key}?fields=issuelinks`,
    );
    expect(onProblem.body.fields.issuelinks).toEqual([
      expect.objectContaining({
        type: expect.objectContaining({
          name: 'Problem/Incident',
          outward: 'causes',
          inward: 'is caused by',
        }),
        outwardIssue: expect.objectContaining({ key: incident.key }),
      }),
    ]);
    expect(onProblem.body.fields.issuelinks[0]).not.toHaveProperty('inwardIssue');
    const onIncident = await call<{ fields: { issuelinks: unknown[] } }>(
      sim,
      'GET',
      `/rest/api/3/issue/${incident.key}?fields=issuelinks`,
    );
    expect(onIncident.body.fields.issuelinks).toEqual([
      expect.objectContaining({ inwardIssue: expect.objectContaining({ key: problem.key }) }),
    ]);
    expect(sim.issue(incident.key)?.links).toEqual([
      { type: 'Problem/Incident', direction: 'inward', phrase: 'is caused by', issue: problem.key },
    ]);

    const unknownType = await call<ErrorBody>(sim, 'POST', '/rest/api/3/issueLink', {
      ...body,
      type: { name: 'Causes' },
    });
    expect(unknownType.status).toBe(404);
    const linkTypes = await call<{ issueLinkTypes: { name: string }[] }>(
      sim,
      'GET',
      '/rest/api/3/issueLinkType',
    );
    expect(linkTypes.body.issueLinkTypes.map((t) => t.name)).toEqual(
      expect.arrayContaining(['Problem/Incident', 'Relates', 'Blocks']),
    );
  });

  it('edits fields and label operations, refusing fields not on the edit screen', async () => {
    const { key } = await createV3(sim, 'edit-me');
    const edit = await call(sim, 'PUT', `/rest/api/3/issue/${key}`, {
      fields: { summary: 'Renamed', priority: { name: 'Highest' }, components: [{ name: 'database' }] },
      update: { labels: [{ add: 'problem-candidate' }, { remove: 'edit-me' }] },
    });
    expect(edit.status).toBe(204);
    expect(sim.issue(key)).toMatchObject({
      summary: 'Renamed',
      priority: 'Highest',
      components: ['database'],
      labels: ['incident-bridge', 'problem-candidate'],
    });
    const resolution = await call<ErrorBody>(sim, 'PUT', `/rest/api/3/issue/${key}`, {
      fields: { resolution: { name: 'Fixed' } },
    });
    expect(resolution.status).toBe(400);
    expect(resolution.body.errors.resolution).toContain('cannot be set');
    const unknownComponent = await call<ErrorBody>(sim, 'PUT', `/rest/api/3/issue/${key}`, {
      fields: { components: [{ name: 'mainframe' }] },
    });
    expect(unknownComponent.body.errors).toEqual({ components: "Component name 'mainframe' is not valid" });
  });

  it('manages versions through the API and through human actions', async () => {
    const project = await call<{ id: string; key: string }>(sim, 'GET', '/rest/api/3/project/OPS');
    expect(project.body.key).toBe('OPS');
    const created = await call<{ id: string; name: string; released: boolean; projectId: number }>(
      sim,
      'POST',
      '/rest/api/3/version',
      { name: '2026.05', projectId: Number(project.body.id) },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: '2026.05',
      released: false,
      projectId: Number(project.body.id),
    });
    const duplicate = await call<ErrorBody>(sim, 'POST', '/rest/api/3/version', {
      name: '2026.05',
      projectId: Number(project.body.id),
    });
    expect(duplicate.status).toBe(400);

    await createV3(sim, 'versioned', { fixVersions: [{ name: '2026.05' }] });
    const found = await call<SearchPage>(sim, 'POST', '/rest/api/3/search/jql', {
      jql: 'fixVersion = "2026.05"',
    });
    expect(found.body.issues).toHaveLength(1);

    const released = await call<{ released: boolean; releaseDate?: string }>(
      sim,
      'PUT',
      `/rest/api/3/version/${created.body.id}`,
      { released: true, releaseDate: '2026-05-29' },
    );
    expect(released.body).toMatchObject({ released: true, releaseDate: '2026-05-29' });

    sim.createVersion('OPS', '2026.06');
    const byHuman = sim.releaseVersion('OPS', '2026.06');
    expect(byHuman).toMatchObject({
      project: 'OPS',
      released: true,
      releaseDate: expect.stringMatching(/^\d{4}-/),
    });
    const versions = await call<{ name: string; released: boolean }[]>(
      sim,
      'GET',
      '/rest/api/3/project/OPS/versions',
    );
    expect(versions.body.map((v) => [v.name, v.released])).toEqual([
      ['2026.05', true],
      ['2026.06', true],
    ]);
  });

  it('requires credentials: Basic email:token or Bearer PAT', async () => {
    expect((await call(sim, 'GET', '/rest/api/3/myself', undefined, null)).status).toBe(401);
    const wrong = `Basic ${Buffer.from('bridge@example.com:nope').toString('base64')}`;
    expect((await call(sim, 'GET', '/rest/api/3/myself', undefined, wrong)).status).toBe(401);
    const bearer = await call(
      sim,
      'GET',
      '/rest/api/3/myself',
      undefined,
      `Bearer ${DEFAULT_SIM_AUTH.bearerToken}`,
    );
    expect(bearer.status).toBe(200);
    const me = await call<{ emailAddress: string; accountId: string }>(sim, 'GET', '/rest/api/3/myself');
    expect(me.body).toMatchObject({
      emailAddress: DEFAULT_SIM_AUTH.basic.username,
      accountId: sim.user.accountId,
    });
  });

  it('answers every third call with 429 and Retry-After when asked to', async () => {
    sim.faults.set({ every429: 3, retryAfterSeconds: 2 });
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await call(sim, 'GET', '/rest/api/3/serverInfo'));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 429, 200, 200, 429]);
    const limited = replies[2];
    expect(limited?.headers.get('retry-after')).toBe('2');
    expect(limited?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(sim.calls.map((c) => c.fault ?? null)).toEqual([null, null, 'status', null, null, 'status']);
  });

  it('injects one-shot 429 and 5xx faults, optionally only on matching requests', async () => {
    sim.faults.status429Next(1, { retryAfterSeconds: 5, match: { path: /\/search\/jql$/ } });
    sim.faults.status500Next(2, { status: 503 });
    expect((await call(sim, 'GET', '/rest/api/3/serverInfo')).status).toBe(503);
    const search = await call(sim, 'POST', '/rest/api/3/search/jql', { jql: 'project = OPS' });
    expect(search.status).toBe(429);
    expect(search.headers.get('retry-after')).toBe('5');
    expect((await call(sim, 'GET', '/rest/api/3/serverInfo')).status).toBe(503);
    expect((await call(sim, 'GET', '/rest/api/3/serverInfo')).status).toBe(200);
  });

  it('drops connections, before or after the request took effect', async () => {
    sim.faults.dropNextConnection(1);
    await expect(call(sim, 'POST', '/rest/api/3/issue', incidentFields('dropped'))).rejects.toThrow();
    expect(sim.issues()).toHaveLength(0);
    expect(sim.calls.at(-1)).toMatchObject({ status: null, fault: 'drop' });

    sim.faults.dropNextConnection(1, { afterProcessing: true });
    await expect(call(sim, 'POST', '/rest/api/3/issue', incidentFields('lost-answer'))).rejects.toThrow();
    expect(sim.issues().map((i) => i.labels)).toEqual([['incident-bridge', 'lost-answer']]);

    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(200);
  });

  it('goes down and comes back on the same URL', async () => {
    await sim.faults.down(true);
    await expect(call(sim, 'GET', '/rest/api/3/myself')).rejects.toThrow();
    await sim.faults.down(false);
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(200);
  });

  it('adds latency to answers', async () => {
    sim.faults.set({ latencyMs: 120 });
    const started = performance.now();
    await call(sim, 'GET', '/rest/api/3/myself');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('Jira simulator, Data Center flavour', () => {
  let sim: JiraSimulator;

  beforeAll(async () => {
    sim = await startJiraSimulator({ flavor: 'datacenter', auth: { bearerToken: 'dc-pat' } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('serves /rest/api/2/search with startAt, maxResults and total, and has no v3', async () => {
    const auth = 'Bearer dc-pat';
    for (let i = 0; i < 5; i++) {
      const res = await call(
        sim,
        'POST',
        '/rest/api/2/issue',
        {
          fields: {
            project: { key: 'OPS' },
            summary: `dc ${i}`,
            issuetype: { name: 'Bug' },
            labels: ['incident-bridge-INC-9'],
          },
        },
        auth,
      );
      expect(res.status).toBe(201);
    }
    const page = await call<{
      startAt: number;
      maxResults: number;
      total: number;
      issues: { key: string }[];
    }>(
      sim,
      'GET',
      `/rest/api/2/search?jql=${encodeURIComponent('labels = "incident-bridge-INC-9"')}&startAt=2&maxResults=2&fields=summary`,
      undefined,
      auth,
    );
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ startAt: 2, maxResults: 2, total: 5 });
    expect(page.body.issues.map((i) => i.key)).toEqual(['OPS-3', 'OPS-4']);
    expect((await call(sim, 'GET', '/rest/api/3/myself', undefined, auth)).status).toBe(404);
    expect((await call(sim, 'POST', '/rest/api/2/search/jql', { jql: 'project = OPS' }, auth)).status).toBe(
      404,
    );
    expect((await call(sim, 'GET', '/rest/api/2/myself', undefined, BASIC)).status).toBe(401);
  });
});

describe('Jira simulator against the OpenAPI description', () => {
  let sim: JiraSimulator;

  beforeAll(async () => {
    sim = await startJiraSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('sends and answers only what the v3 description allows, for a realistic sequence', async () => {
    const project = await call<{ id: string }>(sim, 'GET', '/rest/api/3/project/OPS');
    await call(sim, 'GET', '/rest/api/3/myself');
    await call(sim, 'GET', '/rest/api/3/serverInfo');
    await call(sim, 'GET', '/rest/api/3/priority');
    await call(sim, 'GET', '/rest/api/3/issueLinkType');
    const version = await call<{ id: string }>(sim, 'POST', '/rest/api/3/version', {
      name: '2026.05',
      description: 'May release',
      projectId: Number(project.body.id),
    });
    await call(sim, 'GET', '/rest/api/3/project/OPS/versions');
    const incident = await createV3(sim, 'incident-bridge-INC-42', {
      duedate: '2026-06-01',
      components: [{ name: 'web' }],
      fixVersions: [{ id: version.body.id }],
    });
    const problem = await call<CreatedIssue>(sim, 'POST', '/rest/api/3/issue', {
      fields: { project: { key: 'OPS' }, summary: 'Root cause', issuetype: { name: 'Problem' } },
    });
    await call(sim, 'POST', '/rest/api/3/search/jql', {
      jql: 'project = OPS AND labels = "incident-bridge-INC-42"',
      fields: ['summary', 'status', 'labels'],
      maxResults: 1,
    });
    await call(sim, 'GET', `/rest/api/3/search/jql?jql=${encodeURIComponent('project = OPS')}&maxResults=1`);
    await call(sim, 'GET', `/rest/api/3/issue/${incident.key}`);
    await call(sim, 'GET', `/rest/api/3/issue/${incident.key}?fields=summary,issuelinks`);
    await call(sim, 'PUT', `/rest/api/3/issue/${incident.key}`, {
      update: { labels: [{ add: 'escalated' }] },
    });
    await call(sim, 'POST', `/rest/api/3/issue/${incident.key}/comment`, {
      body: adf('Bridge: 3 alerts firing'),
    });
    await call(sim, 'POST', `/rest/api/3/issue/${incident.key}/comment`, { body: 'not ADF' });
    await call(sim, 'GET', `/rest/api/3/issue/${incident.key}/comment`);
    const transitions = await call<{ transitions: { id: string; name: string }[] }>(
      sim,
      'GET',
      `/rest/api/3/issue/${incident.key}/transitions?expand=transitions.fields`,
    );
    const done = transitions.body.transitions.find((t) => t.name === 'Done');
    await call(sim, 'POST', `/rest/api/3/issue/${incident.key}/transitions`, {
      transition: { id: done?.id },
      fields: { resolution: { name: 'Fixed' } },
    });
    await call(sim, 'POST', '/rest/api/3/issueLink', {
      type: { name: 'Problem/Incident' },
      inwardIssue: { key: problem.body.key },
      outwardIssue: { key: incident.key },
    });
    await call(sim, 'GET', `/rest/api/3/issue/${incident.key}?fields=issuelinks,status,resolution`);
    await call(sim, 'PUT', `/rest/api/3/version/${version.body.id}`, {
      released: true,
      releaseDate: '2026-05-29',
    });
    await call(sim, 'GET', '/rest/api/3/issue/OPS-999');

    const v3Calls = sim.calls.filter((c) => c.path.startsWith('/rest/api/3/'));
    expect(v3Calls).toHaveLength(sim.calls.length);
    const { problems, operations } = checkCalls(v3Calls);
    expect(problems).toEqual([]);
    expect([...operations].sort()).toEqual(
      [
        'addComment',
        'createIssue',
        'createVersion',
        'doTransition',
        'editIssue',
        'getComments',
        'getCurrentUser',
        'getIssue',
        'getIssueLinkTypes',
        'getPriorities',
        'getProject',
        'getProjectVersions',
        'getServerInfo',
        'getTransitions',
        'linkIssues',
        'searchAndReconsileIssuesUsingJql',
        'searchAndReconsileIssuesUsingJqlPost',
        'updateVersion',
      ].sort(),
    );
    expect(sim.calls.map((c) => c.status)).toContain(400);
    expect(sim.calls.map((c) => c.status)).toContain(404);
  });

  it('flags requests and answers that break the description', () => {
    const contract = jiraContract();
    const link = {
      method: 'POST',
      path: '/rest/api/3/issueLink',
      body: { type: { name: 'Blocks' }, inwardIssue: { key: 'OPS-1' } },
    };
    expect(contract.validateRequest(link).errors.join()).toContain('outwardIssue');
    const search = {
      method: 'GET',
      path: '/rest/api/3/search/jql',
      query: { jql: 'project = OPS', startAt: '0' },
    };
    expect(contract.validateRequest(search).valid).toBe(false);
    const issue = { method: 'GET', path: '/rest/api/3/issue/OPS-1' };
    expect(
      contract.validateResponse(issue, { status: 200, body: { id: '1', key: 'OPS-1', total: 3 } }).valid,
    ).toBe(false);
    expect(
      contract.validateResponse(issue, { status: 200, body: { id: '1', key: 'OPS-1', fields: {} } }).valid,
    ).toBe(true);
    const version = { method: 'POST', path: '/rest/api/3/version', body: { name: 'v', projectId: 1 } };
    expect(
      contract.validateResponse(version, {
        status: 201,
        body: { id: '1', name: 'v', releaseDate: '29/May/26' },
      }).valid,
    ).toBe(false);
    const oldSearch = { method: 'GET', path: '/rest/api/3/search', query: { jql: 'project = OPS' } };
    expect(
      contract.validateResponse(oldSearch, { status: 410, body: { errorMessages: ['gone'], errors: {} } })
        .errors,
    ).toEqual(['status 410 is not documented for searchForIssuesUsingJql']);
    expect(contract.operationIdFor('GET', '/rest/api/3/nope')).toBeUndefined();
  });
});
