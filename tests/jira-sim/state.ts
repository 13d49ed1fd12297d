/**
 * The simulator's in-memory Jira: projects, versions, issues, comments and links, with the
 * validation rules real Jira applies. HTTP handlers and the "human" helpers both go through here.
 */
import { type AdfDoc, isAdfDoc, textToAdf } from './adf.js';
import {
  DEFAULT_PRIORITY,
  DEFAULT_RESOLUTION,
  findIssueType,
  findLinkType,
  findPriority,
  findResolution,
  findStatus,
  INITIAL_STATUS,
  type SimLinkType,
  type SimTransition,
  STATUS_CATEGORIES,
  statusOf,
  TRANSITIONS,
} from './catalog.js';
import { ISSUE_NOT_FOUND, JiraError, notOnScreen } from './errors.js';
import { applyFieldChanges, draftOf, emptyDraft, type FieldContext } from './issue-fields.js';
import { checkJqlValues, JqlError, type JqlField, type JqlIssueView, matchesJql, parseJql } from './jql.js';
import {
  isRecord,
  isValidDate,
  type Json,
  type ProjectSeed,
  type RichTextMode,
  refOf,
  type SimComment,
  type SimComponent,
  type SimIssue,
  type SimLink,
  type SimProject,
  type SimUser,
  type SimVersion,
} from './model.js';

export interface JiraStateOptions {
  now: () => number;
  customFields: Record<string, string>;
}

export class JiraState {
  readonly projects: SimProject[] = [];
  readonly versions: SimVersion[] = [];
  readonly issues: SimIssue[] = [];
  readonly comments: SimComment[] = [];
  readonly links: SimLink[] = [];
  private nextId = 10000;
  private readonly issueCounters = new Map<string, number>();

  constructor(private readonly options: JiraStateOptions) {}

  now(): number {
    return this.options.now();
  }

  private newId(): string {
    return String(this.nextId++);
  }

  // ---------------------------------------------------------------- projects and versions

  createProject(seed: ProjectSeed): SimProject {
    if (!/^[A-Z][A-Z0-9_]+$/.test(seed.key)) throw new Error(`invalid project key ${seed.key}`);
    if (this.projects.some((p) => p.key === seed.key)) throw new Error(`project ${seed.key} already exists`);
    const project: SimProject = {
      id: this.newId(),
      key: seed.key,
      name: seed.name ?? `${seed.key} project`,
      projectTypeKey: seed.projectTypeKey ?? 'software',
      components: [],
    };
    this.projects.push(project);
    for (const name of seed.components ?? []) this.addComponent(project.key, name);
    for (const version of seed.versions ?? []) {
      const v = typeof version === 'string' ? { name: version } : version;
      this.createVersion({ ...v, projectId: project.id });
    }
    return project;
  }

  addComponent(projectKey: string, name: string): SimComponent {
    const project = this.requireProject(projectKey);
    const component = { id: this.newId(), name };
    project.components.push(component);
    return component;
  }

  findProject(ref: string): SimProject | undefined {
    const upper = ref.toUpperCase();
    return (
      this.projects.find((p) => p.id === ref || p.key === upper) ??
      this.projects.find((p) => p.name.toLowerCase() === ref.toLowerCase())
    );
  }

  requireProject(ref: string): SimProject {
    const project = this.findProject(ref);
    if (!project) throw new JiraError(404, [`No project could be found with key '${ref}'.`]);
    return project;
  }

  projectOf(issue: SimIssue): SimProject {
    const project = this.projects.find((p) => p.id === issue.projectId);
    if (!project) throw new Error(`issue ${issue.key} has no project`);
    return project;
  }

  /** POST /version body. Accepts `projectId` (number or string) or `project` (key). */
  createVersion(input: unknown): SimVersion {
    if (!isRecord(input)) throw new JiraError(400, ['Request body must be a JSON object.']);
    const projectRef = refOf(input.projectId) ?? refOf(input.project);
    const project = projectRef === undefined ? undefined : this.findProject(projectRef);
    const errors: Record<string, string> = {};
    if (!project) errors.project = 'Project must be specified to create a version.';
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name === '') errors.name = 'You must specify a valid version name';
    else if (project && this.versions.some((v) => v.projectId === project.id && v.name === name)) {
      errors.name = 'A version with this name already exists in this project.';
    }
    const version: SimVersion = {
      id: this.newId(),
      projectId: project?.id ?? '',
      name,
      released: false,
      archived: false,
    };
    this.applyVersionFields(version, input, errors);
    if (Object.keys(errors).length > 0 || !project) throw new JiraError(400, [], errors);
    this.versions.push(version);
    return version;
  }

  private applyVersionFields(version: SimVersion, input: Json, errors: Record<string, string>): void {
    if (typeof input.description === 'string') version.description = input.description;
    if (typeof input.released === 'boolean') version.released = input.released;
    if (typeof input.archived === 'boolean') version.archived = input.archived;
    for (const field of ['releaseDate', 'startDate'] as const) {
      const value = input[field];
      if (value === undefined) continue;
      if (value === null) delete version[field];
      else if (typeof value === 'string' && isValidDate(value)) version[field] = value;
      else errors[field] = `Invalid date format. Please enter the date in the format "yyyy-MM-dd".`;
    }
  }

  findVersion(id: string): SimVersion | undefined {
    return this.versions.find((v) => v.id === id);
  }

  requireVersion(id: string): SimVersion {
    const version = this.findVersion(id);
    if (!version) throw new JiraError(404, [`Could not find version for id '${id}'`]);
    return version;
  }

  /** PUT /version/{id}: name, description, released, archived, releaseDate, startDate. */
  updateVersion(id: string, input: unknown): SimVersion {
    const version = this.requireVersion(id);
    if (!isRecord(input)) throw new JiraError(400, ['Request body must be a JSON object.']);
    const errors: Record<string, string> = {};
    const draft: SimVersion = { ...version };
    if (input.name !== undefined) {
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (name === '') errors.name = 'You must specify a valid version name';
      else if (
        this.versions.some((v) => v !== version && v.projectId === version.projectId && v.name === name)
      ) {
        errors.name = 'A version with this name already exists in this project.';
      } else draft.name = name;
    }
    this.applyVersionFields(draft, input, errors);
    if (Object.keys(errors).length > 0) throw new JiraError(400, [], errors);
    Object.assign(version, draft);
    if (draft.releaseDate === undefined) delete version.releaseDate;
    if (draft.startDate === undefined) delete version.startDate;
    return version;
  }

  projectVersions(projectId: string): SimVersion[] {
    return this.versions.filter((v) => v.projectId === projectId);
  }

  // ---------------------------------------------------------------- issues

  findIssue(ref: string): SimIssue | undefined {
    const upper = ref.toUpperCase();
    return this.issues.find((i) => i.key === upper || i.id === ref);
  }

  requireIssue(ref: string): SimIssue {
    const issue = this.findIssue(ref);
    if (!issue) throw new JiraError(404, [ISSUE_NOT_FOUND]);
    return issue;
  }

  /** POST /issue body (`{fields, update}`), validated like Jira: every field error is reported at once. */
  createIssue(body: unknown, mode: RichTextMode, reporter: SimUser): SimIssue {
    if (!isRecord(body)) throw new JiraError(400, ['Request body must be a JSON object.']);
    const fields = isRecord(body.fields) ? body.fields : {};
    const errors: Record<string, string> = {};
    const projectRef = refOf(fields.project);
    const project = projectRef === undefined ? undefined : this.findProject(projectRef);
    if (!project) errors.project = 'Specify a valid project ID or key';
    if (fields.summary === undefined) errors.summary = 'You must specify a summary of the issue.';
    if (fields.issuetype === undefined) errors.issuetype = 'Specify an issue type';
    const draft = emptyDraft(findPriority(DEFAULT_PRIORITY)?.id ?? '');
    const rest = Object.fromEntries(Object.entries(fields).filter(([name]) => name !== 'project'));
    if (project) applyFieldChanges(draft, this.fieldContext(project, mode), rest, body.update, errors);
    if (Object.keys(errors).length > 0 || !project) throw new JiraError(400, [], errors);
    const counter = (this.issueCounters.get(project.key) ?? 0) + 1;
    this.issueCounters.set(project.key, counter);
    const now = this.now();
    const issue: SimIssue = {
      id: this.newId(),
      key: `${project.key}-${counter}`,
      projectId: project.id,
      ...draft,
      statusId: findStatus(INITIAL_STATUS)?.id ?? '',
      resolutionId: null,
      resolutionDate: null,
      reporter,
      created: now,
      updated: now,
    };
    this.issues.push(issue);
    return issue;
  }

  /** PUT /issue/{key} body (`{fields, update}`). */
  editIssue(ref: string, body: unknown, mode: RichTextMode): SimIssue {
    const issue = this.requireIssue(ref);
    if (!isRecord(body)) throw new JiraError(400, ['Request body must be a JSON object.']);
    const errors: Record<string, string> = {};
    const draft = draftOf(issue);
    const fields = isRecord(body.fields) ? body.fields : {};
    applyFieldChanges(draft, this.fieldContext(this.projectOf(issue), mode), fields, body.update, errors);
    if (Object.keys(errors).length > 0) throw new JiraError(400, [], errors);
    Object.assign(issue, draft, { updated: this.now() });
    return issue;
  }

  private fieldContext(project: SimProject, mode: RichTextMode): FieldContext {
    return {
      project,
      versions: this.projectVersions(project.id),
      customFields: this.options.customFields,
      mode,
    };
  }

  // ---------------------------------------------------------------- comments

  addComment(ref: string, body: unknown, mode: RichTextMode, author: SimUser): SimComment {
    const issue = this.requireIssue(ref);
    const doc = this.commentBody(body, mode);
    const now = this.now();
    const comment: SimComment = {
      id: this.newId(),
      issueId: issue.id,
      body: doc,
      author,
      created: now,
      updated: now,
    };
    this.comments.push(comment);
    issue.updated = now;
    return comment;
  }

  private commentBody(body: unknown, mode: RichTextMode): AdfDoc {
    if (mode === 'adf') {
      if (!isAdfDoc(body)) {
        throw new JiraError(400, [], {
          comment: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
        });
      }
      if (body.content.length === 0)
        throw new JiraError(400, [], { comment: 'Comment body can not be empty!' });
      return structuredClone(body);
    }
    if (typeof body !== 'string')
      throw new JiraError(400, [], { comment: 'Operation value must be a string' });
    if (body.trim() === '') throw new JiraError(400, [], { comment: 'Comment body can not be empty!' });
    return textToAdf(body);
  }

  commentsOf(issue: SimIssue): SimComment[] {
    return this.comments.filter((c) => c.issueId === issue.id);
  }

  // ---------------------------------------------------------------- workflow

  transitionsFor(issue: SimIssue): SimTransition[] {
    const status = statusOf(issue.statusId);
    return TRANSITIONS.filter((t) => t.from.includes(status.name));
  }

  /** POST /issue/{key}/transitions body: `{transition:{id}, fields?:{resolution}, update?:{comment:[{add:{body}}]}}`. */
  doTransition(ref: string, body: unknown, mode: RichTextMode, author: SimUser): SimIssue {
    const issue = this.requireIssue(ref);
    if (!isRecord(body)) throw new JiraError(400, ['Request body must be a JSON object.']);
    const transitionId = isRecord(body.transition) ? refOf(body.transition.id) : undefined;
    if (transitionId === undefined) throw new JiraError(400, ["Missing 'transition' identifier"]);
    const transition = this.transitionsFor(issue).find((t) => t.id === transitionId);
    if (!transition)
      throw new JiraError(400, [`Transition id '${transitionId}' is not valid for this issue.`]);
    const fields = isRecord(body.fields) ? body.fields : {};
    const errors: Record<string, string> = {};
    let resolutionId: string | undefined;
    for (const [name, value] of Object.entries(fields)) {
      if (name !== 'resolution' || !transition.resolutionOnScreen) {
        errors[name] = notOnScreen(name);
        continue;
      }
      const resolutionRef = refOf(value);
      const resolution = resolutionRef === undefined ? undefined : findResolution(resolutionRef);
      if (resolution) resolutionId = resolution.id;
      else errors.resolution = "Could not find valid 'id' or 'name' in resolution object.";
    }
    const commentBodies: unknown[] = [];
    if (isRecord(body.update)) {
      for (const [name, operations] of Object.entries(body.update)) {
        if (name !== 'comment' || !Array.isArray(operations)) {
          errors[name] = notOnScreen(name);
          continue;
        }
        for (const op of operations) {
          if (isRecord(op) && isRecord(op.add)) commentBodies.push(op.add.body);
          else errors.comment = 'Comments can only be added during a transition.';
        }
      }
    }
    if (Object.keys(errors).length > 0) throw new JiraError(400, [], errors);
    const docs = commentBodies.map((b) => this.commentBody(b, mode));
    this.applyTransition(issue, transition, resolutionId);
    for (const doc of docs) this.addComment(issue.key, doc, 'adf', author);
    return issue;
  }

  private applyTransition(
    issue: SimIssue,
    transition: SimTransition,
    resolutionId: string | undefined,
  ): void {
    const target = findStatus(transition.to);
    if (!target) throw new Error(`workflow targets unknown status ${transition.to}`);
    const now = this.now();
    issue.statusId = target.id;
    if (target.category === 'done') {
      issue.resolutionId =
        resolutionId ?? issue.resolutionId ?? findResolution(DEFAULT_RESOLUTION)?.id ?? null;
      issue.resolutionDate = now;
    } else {
      issue.resolutionId = null;
      issue.resolutionDate = null;
    }
    issue.updated = now;
  }

  /** A person moving the issue in Jira's UI: by transition name, optionally choosing a resolution. */
  transitionByName(ref: string, transitionName: string, resolution?: string): SimIssue {
    const issue = this.requireIssue(ref);
    const transition = this.transitionsFor(issue).find(
      (t) => t.name.toLowerCase() === transitionName.toLowerCase(),
    );
    if (!transition) {
      const available = this.transitionsFor(issue).map((t) => t.name);
      throw new JiraError(400, [
        `Transition '${transitionName}' is not available for ${issue.key} (available: ${available.join(', ')}).`,
      ]);
    }
    const fields = resolution === undefined ? {} : { resolution: { name: resolution } };
    const author = issue.reporter;
    return this.doTransition(issue.key, { transition: { id: transition.id }, fields }, 'adf', author);
  }

  // ---------------------------------------------------------------- links

  /** POST /issueLink: `{type:{name|id}, inwardIssue:{key}, outwardIssue:{key}}` records "inward <outward phrase> outward". */
  linkIssues(body: unknown, mode: RichTextMode, author: SimUser): void {
    if (!isRecord(body)) throw new JiraError(400, ['Request body must be a JSON object.']);
    const typeRef = refOf(body.type);
    if (typeRef === undefined) throw new JiraError(400, ['Issue link type is required.']);
    const type = findLinkType(typeRef);
    if (!type) throw new JiraError(404, [`No issue link type with name '${typeRef}' found.`]);
    const sourceRef = refOf(body.inwardIssue);
    const targetRef = refOf(body.outwardIssue);
    const source = sourceRef === undefined ? undefined : this.findIssue(sourceRef);
    const target = targetRef === undefined ? undefined : this.findIssue(targetRef);
    if (!source || !target) throw new JiraError(404, ['Issue Does Not Exist']);
    if (source === target) throw new JiraError(400, ['You cannot link an issue to itself.']);
    const commentBody = isRecord(body.comment) ? body.comment.body : undefined;
    const doc = commentBody === undefined ? undefined : this.commentBody(commentBody, mode);
    const exists = this.links.some(
      (l) => l.typeId === type.id && l.sourceId === source.id && l.targetId === target.id,
    );
    if (!exists) {
      this.links.push({ id: this.newId(), typeId: type.id, sourceId: source.id, targetId: target.id });
      const now = this.now();
      source.updated = now;
      target.updated = now;
    }
    if (doc) this.addComment(source.key, doc, 'adf', author);
  }

  linksOf(
    issue: SimIssue,
  ): { link: SimLink; type: SimLinkType; direction: 'outward' | 'inward'; other: SimIssue }[] {
    const out: ReturnType<JiraState['linksOf']> = [];
    for (const link of this.links) {
      const type = findLinkType(link.typeId);
      if (!type) continue;
      const otherId =
        link.sourceId === issue.id ? link.targetId : link.targetId === issue.id ? link.sourceId : null;
      const other = otherId === null ? undefined : this.issues.find((i) => i.id === otherId);
      if (!other) continue;
      out.push({ link, type, direction: link.sourceId === issue.id ? 'outward' : 'inward', other });
    }
    return out;
  }

  // ---------------------------------------------------------------- search

  /**
   * Runs JQL over the issues (in creation order; ORDER BY is ignored). `visibleBefore` hides
   * issues created after that instant, to model the search index lagging behind writes.
   */
  search(jql: string | undefined, visibleBefore = Number.POSITIVE_INFINITY): SimIssue[] {
    let query: ReturnType<typeof parseJql>;
    try {
      query = parseJql(jql ?? '');
    } catch (error) {
      if (error instanceof JqlError) throw new JiraError(400, [error.message]);
      throw error;
    }
    const problems = checkJqlValues(query, (field, value) => this.checkJqlValue(field, value));
    if (problems.length > 0) throw new JiraError(400, problems);
    return this.issues.filter(
      (issue) => issue.created <= visibleBefore && matchesJql(query, this.jqlView(issue)),
    );
  }

  /** True when the JQL restricts the search (Jira Cloud refuses unbounded /search/jql queries). */
  isBounded(jql: string | undefined): boolean {
    try {
      return parseJql(jql ?? '').where !== null;
    } catch {
      return true;
    }
  }

  private checkJqlValue(field: JqlField, value: string): string | null {
    const missing = `The value '${value}' does not exist for the field '${field}'.`;
    switch (field) {
      case 'project':
        return this.findProject(value) ? null : missing;
      case 'fixVersion':
        return this.versions.some((v) => v.id === value || v.name.toLowerCase() === value.toLowerCase())
          ? null
          : missing;
      case 'key': {
        if (this.findIssue(value)) return null;
        return /^\d+$/.test(value)
          ? `An issue with id '${value}' does not exist.`
          : `An issue with key '${value}' does not exist for field 'key'.`;
      }
      case 'status':
        return findStatus(value) ? null : missing;
      case 'issuetype':
        return findIssueType(value) ? null : missing;
      case 'priority':
        return findPriority(value) ? null : missing;
      case 'resolution':
        return value.toLowerCase() === 'unresolved' || findResolution(value) ? null : missing;
      default:
        return null;
    }
  }

  private jqlView(issue: SimIssue): JqlIssueView {
    const project = this.projectOf(issue);
    const status = statusOf(issue.statusId);
    return {
      values: (field) => {
        switch (field) {
          case 'project':
            return { matchable: [[project.key, project.id, project.name]] };
          case 'key':
            return { matchable: [[issue.key, issue.id]] };
          case 'labels':
            return { matchable: issue.labels.map((l) => [l]) };
          case 'fixVersion':
            return {
              matchable: issue.fixVersionIds.map((id) => [id, this.findVersion(id)?.name ?? '']),
            };
          case 'component':
            return {
              matchable: issue.componentIds.map((id) => [
                id,
                project.components.find((c) => c.id === id)?.name ?? '',
              ]),
            };
          case 'status':
            return { matchable: [[status.id, status.name]] };
          case 'statusCategory':
            return {
              matchable: [
                [
                  status.category,
                  STATUS_CATEGORIES[status.category].name,
                  String(STATUS_CATEGORIES[status.category].id),
                ],
              ],
            };
          case 'issuetype':
            return { matchable: [[issue.issueTypeId, findIssueType(issue.issueTypeId)?.name ?? '']] };
          case 'priority':
            return { matchable: [[issue.priorityId, findPriority(issue.priorityId)?.name ?? '']] };
          case 'resolution': {
            const resolution = issue.resolutionId === null ? undefined : findResolution(issue.resolutionId);
            return { matchable: resolution ? [[resolution.id, resolution.name]] : [] };
          }
          case 'summary':
            return { matchable: [[issue.summary]], text: issue.summary };
        }
      },
    };
  }
}
