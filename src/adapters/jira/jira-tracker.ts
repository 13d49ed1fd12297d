import type { IssueRef, IssueState, IssueTracker } from '../../app/tracker-ports.js';
import type { FieldUpdate } from '../../domain/issue-fields.js';
import type { RichText } from '../../domain/rich-text.js';
import type { IssueSpec } from '../../domain/tracker-plan.js';
import { type JiraClient, JiraError } from './jira-client.js';
import { toAdf, toWiki } from './rich-text-render.js';

interface SearchResult {
  issues?: { key: string; id?: string }[];
}
interface Transition {
  id: string;
  name: string;
}

/** Jira's answer when the project's screen has no due date field (it may be removed from screens). */
const dueDateRefused = (e: unknown): boolean =>
  e instanceof JiraError && e.status === 400 && e.messages.some((m) => m.startsWith('duedate:'));

/** JQL string literal. */
const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The IssueTracker port on Jira Cloud (v3, ADF) or Data Center (v2, wiki markup). */
export class JiraTracker implements IssueTracker {
  constructor(private readonly client: JiraClient) {}

  private body(doc: RichText): unknown {
    return this.client.apiVersion === 3 ? toAdf(doc) : toWiki(doc);
  }

  async findByLabel(project: string, label: string): Promise<IssueRef | null> {
    const jql = `project = ${q(project)} AND labels = ${q(label)} ORDER BY created ASC`;
    // Cloud removed /search (410); /search/jql pages with nextPageToken. Data Center has only /search.
    const path = this.client.apiVersion === 3 ? '/search/jql' : '/search';
    const res = await this.client.request<SearchResult>('search', 'POST', path, {
      idempotent: true,
      data: { jql, fields: ['summary'], maxResults: 5 },
    });
    const issue = res.issues?.[0];
    return issue ? { key: issue.key, url: this.client.browseUrl(issue.key), id: issue.id } : null;
  }

  async create(spec: IssueSpec): Promise<IssueRef> {
    const fields: Record<string, unknown> = {
      project: { key: spec.project },
      issuetype: { name: spec.issueType },
      summary: spec.summary,
      description: this.body(spec.description),
      labels: spec.labels,
    };
    if (spec.components.length > 0) fields.components = spec.components.map((name) => ({ name }));
    if (spec.priority) fields.priority = { name: spec.priority };
    if (spec.dueDate) fields.duedate = spec.dueDate;
    const create = () =>
      this.client.request<{ key: string; id?: string }>('create-issue', 'POST', '/issue', {
        data: { fields },
      });
    const res = await create().catch((e: unknown) => {
      if (!fields.duedate || !dueDateRefused(e)) throw e;
      // A 400 created nothing: the project's screen has no due date, so the issue goes without one.
      delete fields.duedate;
      return create();
    });
    return { key: res.key, url: this.client.browseUrl(res.key), id: res.id };
  }

  async updateContent(key: string, spec: Pick<IssueSpec, 'summary' | 'description'>): Promise<void> {
    await this.client.request('update-issue', 'PUT', `/issue/${encodeURIComponent(key)}`, {
      params: { notifyUsers: false },
      data: { fields: { summary: spec.summary, description: this.body(spec.description) } },
    });
  }

  async updateFields(key: string, update: FieldUpdate): Promise<void> {
    const fields: Record<string, unknown> = {};
    if (update.priority !== undefined) fields.priority = { name: update.priority };
    if (update.dueDate !== undefined) fields.duedate = update.dueDate;
    const labels = (update.addLabels ?? []).map((label) => ({ add: label }));
    const edit = () =>
      this.client.request('update-issue', 'PUT', `/issue/${encodeURIComponent(key)}`, {
        params: { notifyUsers: false },
        data: { fields, ...(labels.length > 0 ? { update: { labels } } : {}) },
      });
    await edit().catch((e: unknown) => {
      if (fields.duedate === undefined || !dueDateRefused(e)) throw e;
      delete fields.duedate;
      return edit();
    });
  }

  async comment(key: string, body: RichText): Promise<void> {
    await this.client.request('add-comment', 'POST', `/issue/${encodeURIComponent(key)}/comment`, {
      data: { body: this.body(body) },
    });
  }

  async state(key: string): Promise<IssueState> {
    const res = await this.client.request<{
      fields: {
        status?: { name?: string; statusCategory?: { key?: string } };
        resolution?: { name?: string } | null;
      };
    }>('get-issue', 'GET', `/issue/${encodeURIComponent(key)}`, { params: { fields: 'status,resolution' } });
    return {
      status: res.fields.status?.name ?? '',
      category: res.fields.status?.statusCategory?.key ?? '',
      resolution: res.fields.resolution?.name ?? null,
    };
  }

  async transition(key: string, name: string, resolution?: string): Promise<boolean> {
    const path = `/issue/${encodeURIComponent(key)}/transitions`;
    const { transitions } = await this.client.request<{ transitions: Transition[] }>(
      'get-transitions',
      'GET',
      path,
    );
    const t = transitions.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!t) return false;
    const post = (withResolution: boolean) =>
      this.client.request('transition', 'POST', path, {
        data: {
          transition: { id: t.id },
          ...(withResolution && resolution ? { fields: { resolution: { name: resolution } } } : {}),
        },
      });
    try {
      await post(true);
    } catch (e) {
      // Jira answers 400 when the resolution field is not on the transition's screen: the workflow sets it.
      if (!(e instanceof JiraError && e.status === 400 && resolution)) throw e;
      await post(false);
    }
    return true;
  }

  private linkTypeCache: Promise<readonly string[]> | null = null;
  private readonly projectIds = new Map<string, string>();

  linkTypes(): Promise<readonly string[]> {
    this.linkTypeCache ??= this.client
      .request<{ issueLinkTypes: { name: string }[] }>('link-types', 'GET', '/issueLinkType')
      .then((r) => r.issueLinkTypes.map((t) => t.name))
      .catch((e: unknown) => {
        this.linkTypeCache = null;
        throw e;
      });
    return this.linkTypeCache;
  }

  async link(type: string, from: string, to: string): Promise<void> {
    // Jira records "inwardIssue <outward phrase> outwardIssue": for Problem/Incident, "PRB causes INC".
    await this.client.request('link-issues', 'POST', '/issueLink', {
      idempotent: true,
      data: { type: { name: type }, inwardIssue: { key: from }, outwardIssue: { key: to } },
    });
  }

  async setFixVersion(key: string, project: string, version: string): Promise<void> {
    const versions = await this.client.request<{ name: string }[]>(
      'project-versions',
      'GET',
      `/project/${encodeURIComponent(project)}/versions`,
    );
    if (!versions.some((v) => v.name === version)) {
      await this.client.request('create-version', 'POST', '/version', {
        data: { name: version, projectId: Number(await this.projectId(project)) },
      });
    }
    await this.client.request('update-issue', 'PUT', `/issue/${encodeURIComponent(key)}`, {
      params: { notifyUsers: false },
      data: { fields: { fixVersions: [{ name: version }] } },
    });
  }

  async projectId(projectKey: string): Promise<string> {
    const known = this.projectIds.get(projectKey);
    if (known) return known;
    const p = await this.client.request<{ id: string }>(
      'get-project',
      'GET',
      `/project/${encodeURIComponent(projectKey)}`,
    );
    this.projectIds.set(projectKey, String(p.id));
    return String(p.id);
  }
}
