/**
 * Issue field validation for create and edit: the `fields` map and the `update` operations, with the
 * error messages Jira gives. Every field is checked and all errors are reported together.
 */
import { type AdfDoc, isAdfDoc, textToAdf } from './adf.js';
import { findIssueType, findPriority } from './catalog.js';
import { notOnScreen } from './errors.js';
import {
  isRecord,
  isValidDate,
  type Json,
  type RichTextMode,
  refOf,
  type SimIssue,
  type SimProject,
  type SimVersion,
} from './model.js';

/** Mutable copy of the settable fields of an issue. */
export interface Draft {
  summary: string;
  description: AdfDoc | null;
  issueTypeId: string;
  priorityId: string;
  labels: string[];
  componentIds: string[];
  duedate: string | null;
  fixVersionIds: string[];
  customFields: Record<string, unknown>;
}

/** What field validation needs to know about the issue's surroundings. */
export interface FieldContext {
  project: SimProject;
  /** The project's versions. */
  versions: SimVersion[];
  /** Accepted custom field ids. */
  customFields: Record<string, string>;
  mode: RichTextMode;
}

const ARRAY_FIELDS = new Set(['labels', 'components', 'fixVersions']);

export function emptyDraft(priorityId: string): Draft {
  return {
    summary: '',
    description: null,
    issueTypeId: '',
    priorityId,
    labels: [],
    componentIds: [],
    duedate: null,
    fixVersionIds: [],
    customFields: {},
  };
}

export function draftOf(issue: SimIssue): Draft {
  return {
    summary: issue.summary,
    description: issue.description,
    issueTypeId: issue.issueTypeId,
    priorityId: issue.priorityId,
    labels: [...issue.labels],
    componentIds: [...issue.componentIds],
    duedate: issue.duedate,
    fixVersionIds: [...issue.fixVersionIds],
    customFields: { ...issue.customFields },
  };
}

/** Applies `fields` (set) and `update` (operations) to the draft, recording errors by field name. */
export function applyFieldChanges(
  draft: Draft,
  ctx: FieldContext,
  fields: Json,
  update: unknown,
  errors: Record<string, string>,
): void {
  for (const [name, value] of Object.entries(fields)) {
    const error = setField(draft, ctx, name, value);
    if (error) errors[name] = error;
  }
  if (update === undefined || update === null) return;
  if (!isRecord(update)) {
    errors.update = 'update must be an object of field operations';
    return;
  }
  for (const [name, operations] of Object.entries(update)) {
    if (name in fields) {
      errors[name] = `Field '${name}' cannot be set with both 'fields' and 'update'.`;
      continue;
    }
    if (!Array.isArray(operations)) {
      errors[name] = `Operations for '${name}' must be an array.`;
      continue;
    }
    for (const operation of operations) {
      const error = applyOperation(draft, ctx, name, operation);
      if (error) {
        errors[name] = error;
        break;
      }
    }
  }
}

function applyOperation(draft: Draft, ctx: FieldContext, name: string, operation: unknown): string | null {
  if (!isRecord(operation)) return `Invalid operation for field '${name}'.`;
  const [verb, value] = Object.entries(operation)[0] ?? [];
  if (verb === 'set') return setField(draft, ctx, name, value);
  if ((verb !== 'add' && verb !== 'remove') || !ARRAY_FIELDS.has(name)) {
    return `Field '${name}' does not support operation '${String(verb)}'.`;
  }
  const current = currentArray(draft, name);
  const items = resolveArrayItems(ctx, name, [value]);
  if (typeof items === 'string') return items;
  const next =
    verb === 'add'
      ? [...current, ...items.filter((item) => !current.includes(item))]
      : current.filter((item) => !items.includes(item));
  assignArray(draft, name, next);
  return null;
}

function currentArray(draft: Draft, name: string): string[] {
  if (name === 'labels') return draft.labels;
  if (name === 'components') return draft.componentIds;
  return draft.fixVersionIds;
}

function assignArray(draft: Draft, name: string, values: string[]): void {
  if (name === 'labels') draft.labels = values;
  else if (name === 'components') draft.componentIds = values;
  else draft.fixVersionIds = values;
}

/** Resolves labels (validated strings), components or fixVersions (to ids); a string is an error. */
function resolveArrayItems(ctx: FieldContext, name: string, values: unknown[]): string[] | string {
  const out: string[] = [];
  for (const value of values) {
    if (name === 'labels') {
      if (typeof value !== 'string' || value === '') return 'Labels must be non-empty strings.';
      if (/\s/.test(value)) return `The label '${value}' contains spaces which is invalid.`;
      if (value.length > 255) return `The label '${value}' exceeds the maximum length of 255 characters.`;
      if (!out.includes(value)) out.push(value);
      continue;
    }
    const ref = refOf(value);
    const byName = isRecord(value) && typeof value.name === 'string' && value.id === undefined;
    if (name === 'components') {
      const component = ctx.project.components.find((c) => c.id === ref || (byName && c.name === ref));
      if (!component) {
        return byName ? `Component name '${ref}' is not valid` : `Component with id '${ref}' does not exist.`;
      }
      out.push(component.id);
    } else {
      const version = ctx.versions.find((v) => v.id === ref || (byName && v.name === ref));
      if (!version) {
        return byName ? `Version name '${ref}' is not valid` : `Version with id '${ref}' does not exist.`;
      }
      out.push(version.id);
    }
  }
  return out;
}

function setDescription(draft: Draft, value: unknown, mode: RichTextMode): string | null {
  if (value === null) {
    draft.description = null;
    return null;
  }
  if (mode === 'adf') {
    if (!isAdfDoc(value))
      return 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    draft.description = structuredClone(value);
    return null;
  }
  if (typeof value !== 'string') return 'Operation value must be a string';
  draft.description = value === '' ? null : textToAdf(value);
  return null;
}

function setField(draft: Draft, ctx: FieldContext, name: string, value: unknown): string | null {
  switch (name) {
    case 'summary': {
      if (typeof value !== 'string' || value.trim() === '') return 'You must specify a summary of the issue.';
      if (value.length > 255) return 'Summary must be less than 255 characters.';
      draft.summary = value;
      return null;
    }
    case 'description':
      return setDescription(draft, value, ctx.mode);
    case 'issuetype': {
      const ref = refOf(value);
      const type = ref === undefined ? undefined : findIssueType(ref);
      if (!type) return 'The issue type selected is invalid.';
      draft.issueTypeId = type.id;
      return null;
    }
    case 'priority': {
      const ref = refOf(value);
      const priority = ref === undefined ? undefined : findPriority(ref);
      if (!priority) return `Priority name '${ref ?? ''}' is not valid`;
      draft.priorityId = priority.id;
      return null;
    }
    case 'duedate': {
      if (value === null) {
        draft.duedate = null;
        return null;
      }
      if (typeof value !== 'string' || !isValidDate(value))
        return `Error parsing date string: ${String(value)}`;
      draft.duedate = value;
      return null;
    }
    case 'labels':
    case 'components':
    case 'fixVersions': {
      if (value === null) {
        assignArray(draft, name, []);
        return null;
      }
      if (!Array.isArray(value)) return `Field '${name}' must be an array.`;
      const items = resolveArrayItems(ctx, name, value);
      if (typeof items === 'string') return items;
      assignArray(draft, name, items);
      return null;
    }
    default: {
      if (name in ctx.customFields) {
        draft.customFields[name] = structuredClone(value);
        return null;
      }
      return notOnScreen(name);
    }
  }
}
