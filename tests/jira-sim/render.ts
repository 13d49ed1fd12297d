/** JSON representations of simulator state, shaped like Jira's REST v2/v3 answers. */
import { type AdfDoc, adfToText } from './adf.js';
import {
  findIssueType,
  findPriority,
  findResolution,
  findStatus,
  ISSUE_TYPES,
  type SimIssueType,
  type SimLinkType,
  type SimPriority,
  type SimResolution,
  type SimStatus,
  type SimTransition,
  STATUS_CATEGORIES,
  statusOf,
} from './catalog.js';
import type { SimComment, SimIssue, SimProject, SimUser, SimVersion } from './model.js';
import type { JiraState } from './state.js';

export type ApiVersion = 2 | 3;
export type JiraFlavor = 'cloud' | 'datacenter';

export interface RenderContext {
  baseUrl: string;
  apiVersion: ApiVersion;
  flavor: JiraFlavor;
  state: JiraState;
}

type Json = Record<string, unknown>;

/** Jira's timestamp format: `2024-05-01T10:00:00.000+0000`. */
export function jiraTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function api(ctx: RenderContext, path: string): string {
  return `${ctx.baseUrl}/rest/api/${ctx.apiVersion}${path}`;
}

function avatarUrls(ctx: RenderContext, kind: 'user' | 'project', id: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const size of [16, 24, 32, 48]) {
    urls[`${size}x${size}`] = `${ctx.baseUrl}/secure/${kind}avatar?size=${size}&id=${id}`;
  }
  return urls;
}

/** Rich text as the API version carries it: ADF for v3, a wiki-markup string for v2. */
export function richText(ctx: RenderContext, doc: AdfDoc | null): unknown {
  if (doc === null) return null;
  return ctx.apiVersion === 3 ? doc : adfToText(doc);
}

export function userJson(ctx: RenderContext, user: SimUser): Json {
  const common = {
    emailAddress: user.emailAddress,
    avatarUrls: avatarUrls(ctx, 'user', user.accountId),
    displayName: user.displayName,
    active: true,
    timeZone: user.timeZone,
  };
  if (ctx.flavor === 'datacenter') {
    return { self: api(ctx, `/user?username=${user.name}`), key: user.name, name: user.name, ...common };
  }
  return {
    self: api(ctx, `/user?accountId=${user.accountId}`),
    accountId: user.accountId,
    accountType: 'atlassian',
    ...common,
  };
}

export function statusJson(ctx: RenderContext, status: SimStatus): Json {
  const category = STATUS_CATEGORIES[status.category];
  return {
    self: api(ctx, `/status/${status.id}`),
    description: status.description,
    iconUrl: `${ctx.baseUrl}/images/icons/statuses/generic.png`,
    name: status.name,
    id: status.id,
    statusCategory: {
      self: api(ctx, `/statuscategory/${category.id}`),
      id: category.id,
      key: status.category,
      colorName: category.colorName,
      name: category.name,
    },
  };
}

export function priorityJson(ctx: RenderContext, priority: SimPriority): Json {
  return {
    self: api(ctx, `/priority/${priority.id}`),
    statusColor: priority.statusColor,
    description: priority.description,
    iconUrl: `${ctx.baseUrl}/images/icons/priorities/${priority.name.toLowerCase()}.svg`,
    name: priority.name,
    id: priority.id,
  };
}

export function resolutionJson(ctx: RenderContext, resolution: SimResolution): Json {
  return {
    self: api(ctx, `/resolution/${resolution.id}`),
    id: resolution.id,
    description: resolution.description,
    name: resolution.name,
  };
}

/** Issue type as in `fields.issuetype` (with description) or in a project (`IssueTypeDetails`, without). */
export function issueTypeJson(ctx: RenderContext, type: SimIssueType, withDescription = true): Json {
  return {
    self: api(ctx, `/issuetype/${type.id}`),
    id: type.id,
    ...(withDescription ? { description: type.description } : {}),
    iconUrl: `${ctx.baseUrl}/images/icons/issuetypes/${type.name.toLowerCase()}.svg`,
    name: type.name,
    subtask: false,
    hierarchyLevel: 0,
  };
}

export function linkTypeJson(ctx: RenderContext, type: SimLinkType): Json {
  return {
    id: type.id,
    name: type.name,
    inward: type.inward,
    outward: type.outward,
    self: api(ctx, `/issueLinkType/${type.id}`),
  };
}

export function versionJson(ctx: RenderContext, version: SimVersion): Json {
  const json: Json = {
    self: api(ctx, `/version/${version.id}`),
    id: version.id,
    name: version.name,
    archived: version.archived,
    released: version.released,
    projectId: Number(version.projectId),
  };
  if (version.description !== undefined) json.description = version.description;
  if (version.startDate !== undefined) json.startDate = version.startDate;
  if (version.releaseDate !== undefined) {
    json.releaseDate = version.releaseDate;
    const today = new Date(ctx.state.now()).toISOString().slice(0, 10);
    json.overdue = !version.released && version.releaseDate < today;
  }
  return json;
}

export function projectJson(ctx: RenderContext, project: SimProject): Json {
  return {
    self: api(ctx, `/project/${project.id}`),
    id: project.id,
    key: project.key,
    name: project.name,
    description: '',
    avatarUrls: avatarUrls(ctx, 'project', project.id),
    projectTypeKey: project.projectTypeKey,
    simplified: false,
    style: 'classic',
    isPrivate: false,
    assigneeType: 'UNASSIGNED',
    properties: {},
    components: project.components.map((c) => ({
      self: api(ctx, `/component/${c.id}`),
      id: c.id,
      name: c.name,
      project: project.key,
      projectId: Number(project.id),
      assigneeType: 'PROJECT_DEFAULT',
      isAssigneeTypeValid: false,
    })),
    issueTypes: ISSUE_TYPES.map((t) => issueTypeJson(ctx, t, false)),
    versions: ctx.state.projectVersions(project.id).map((v) => versionJson(ctx, v)),
  };
}

export function commentJson(ctx: RenderContext, comment: SimComment): Json {
  const issue = ctx.state.issues.find((i) => i.id === comment.issueId);
  return {
    self: api(ctx, `/issue/${issue?.id ?? comment.issueId}/comment/${comment.id}`),
    id: comment.id,
    author: userJson(ctx, comment.author),
    body: richText(ctx, comment.body),
    updateAuthor: userJson(ctx, comment.author),
    created: jiraTime(comment.created),
    updated: jiraTime(comment.updated),
    jsdPublic: true,
  };
}

export function transitionJson(ctx: RenderContext, transition: SimTransition, withFields: boolean): Json {
  const target = findStatus(transition.to);
  if (!target) throw new Error(`workflow targets unknown status ${transition.to}`);
  const json: Json = {
    id: transition.id,
    name: transition.name,
    to: statusJson(ctx, target),
    hasScreen: transition.resolutionOnScreen,
    isGlobal: false,
    isInitial: false,
    isAvailable: true,
    isConditional: false,
    isLooped: false,
  };
  if (withFields) {
    json.fields = transition.resolutionOnScreen
      ? {
          resolution: {
            required: false,
            schema: { type: 'resolution', system: 'resolution' },
            name: 'Resolution',
            key: 'resolution',
            operations: ['set'],
            allowedValues: ['1', '2', '3', '10000'].flatMap((id) => {
              const r = findResolution(id);
              return r ? [resolutionJson(ctx, r)] : [];
            }),
          },
        }
      : {};
  }
  return json;
}

function linkedIssueJson(ctx: RenderContext, issue: SimIssue): Json {
  const priority = findPriority(issue.priorityId);
  const type = findIssueType(issue.issueTypeId);
  return {
    id: issue.id,
    key: issue.key,
    self: api(ctx, `/issue/${issue.id}`),
    fields: {
      summary: issue.summary,
      status: statusJson(ctx, statusOf(issue.statusId)),
      ...(priority ? { priority: priorityJson(ctx, priority) } : {}),
      ...(type ? { issuetype: issueTypeJson(ctx, type) } : {}),
    },
  };
}

/** All fields of an issue, keyed by Jira field id. */
function allFields(ctx: RenderContext, issue: SimIssue): Json {
  const { state } = ctx;
  const project = state.projectOf(issue);
  const type = findIssueType(issue.issueTypeId);
  const priority = findPriority(issue.priorityId);
  const resolution = issue.resolutionId === null ? undefined : findResolution(issue.resolutionId);
  const comments = state.commentsOf(issue);
  return {
    summary: issue.summary,
    description: richText(ctx, issue.description),
    issuetype: type ? issueTypeJson(ctx, type) : null,
    project: {
      self: api(ctx, `/project/${project.id}`),
      id: project.id,
      key: project.key,
      name: project.name,
      projectTypeKey: project.projectTypeKey,
      simplified: false,
      avatarUrls: avatarUrls(ctx, 'project', project.id),
    },
    priority: priority ? priorityJson(ctx, priority) : null,
    labels: [...issue.labels],
    components: issue.componentIds.flatMap((id) => {
      const c = project.components.find((x) => x.id === id);
      return c ? [{ self: api(ctx, `/component/${c.id}`), id: c.id, name: c.name }] : [];
    }),
    duedate: issue.duedate,
    fixVersions: issue.fixVersionIds.flatMap((id) => {
      const v = state.findVersion(id);
      return v ? [versionJson(ctx, v)] : [];
    }),
    status: statusJson(ctx, statusOf(issue.statusId)),
    resolution: resolution ? resolutionJson(ctx, resolution) : null,
    resolutiondate: issue.resolutionDate === null ? null : jiraTime(issue.resolutionDate),
    issuelinks: state.linksOf(issue).map(({ link, type: linkType, direction, other }) => ({
      id: link.id,
      self: api(ctx, `/issueLink/${link.id}`),
      type: linkTypeJson(ctx, linkType),
      [direction === 'outward' ? 'outwardIssue' : 'inwardIssue']: linkedIssueJson(ctx, other),
    })),
    reporter: userJson(ctx, issue.reporter),
    creator: userJson(ctx, issue.reporter),
    assignee: null,
    created: jiraTime(issue.created),
    updated: jiraTime(issue.updated),
    comment: {
      comments: comments.map((c) => commentJson(ctx, c)),
      self: api(ctx, `/issue/${issue.id}/comment`),
      maxResults: comments.length,
      total: comments.length,
      startAt: 0,
    },
    ...structuredClone(issue.customFields),
  };
}

/** Fields that `*navigable` leaves out. */
const NOT_NAVIGABLE = new Set(['comment']);

/**
 * Parses Jira's `fields` parameter (repeated and/or comma-separated): `*all`, `*navigable`,
 * field ids, and `-field` exclusions. Returns the chosen field ids.
 */
export function selectFields(spec: string[], available: string[]): string[] {
  const items = spec
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const chosen = new Set<string>();
  for (const item of items) {
    let add: string[];
    if (item === '*all') {
      add = available;
    } else if (item === '*navigable') {
      add = available.filter((f) => !NOT_NAVIGABLE.has(f));
    } else {
      add = available.includes(item) ? [item] : [];
    }
    for (const f of add) chosen.add(f);
  }
  for (const item of items) {
    if (item.startsWith('-')) chosen.delete(item.slice(1));
  }
  return [...chosen];
}

/**
 * An issue as `GET /issue/{key}` or a search returns it. `fieldSpec` is the `fields` parameter.
 * In search results (`inSearch`), asking for `id` alone (search/jql's default) gives just `{id}`.
 */
export function issueJson(ctx: RenderContext, issue: SimIssue, fieldSpec: string[], inSearch = false): Json {
  const items = fieldSpec.flatMap((s) => s.split(',')).map((s) => s.trim());
  if (inSearch && items.every((s) => s === 'id' || s === '')) return { id: issue.id };
  const fields = allFields(ctx, issue);
  const chosen = selectFields(fieldSpec, Object.keys(fields));
  const json: Json = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: api(ctx, `/issue/${issue.id}`),
    key: issue.key,
  };
  if (chosen.length > 0) json.fields = Object.fromEntries(chosen.map((f) => [f, fields[f]]));
  return json;
}
