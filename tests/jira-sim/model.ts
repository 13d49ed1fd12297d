/** The simulator's data model: what a Jira site stores, plus small helpers for request values. */
import type { AdfDoc } from './adf.js';

/** How rich-text fields travel: ADF documents (REST v3) or wiki-markup strings (REST v2 / Data Center). */
export type RichTextMode = 'adf' | 'wiki';

export interface SimUser {
  accountId: string;
  name: string;
  displayName: string;
  emailAddress: string;
  timeZone: string;
}

export interface SimComponent {
  id: string;
  name: string;
}

export interface SimProject {
  id: string;
  key: string;
  name: string;
  projectTypeKey: 'software' | 'service_desk' | 'business';
  components: SimComponent[];
}

export interface SimVersion {
  id: string;
  projectId: string;
  name: string;
  description?: string;
  released: boolean;
  archived: boolean;
  releaseDate?: string;
  startDate?: string;
}

export interface SimIssue {
  id: string;
  key: string;
  projectId: string;
  summary: string;
  description: AdfDoc | null;
  issueTypeId: string;
  priorityId: string;
  labels: string[];
  componentIds: string[];
  duedate: string | null;
  fixVersionIds: string[];
  statusId: string;
  resolutionId: string | null;
  resolutionDate: number | null;
  customFields: Record<string, unknown>;
  reporter: SimUser;
  created: number;
  updated: number;
}

export interface SimComment {
  id: string;
  issueId: string;
  body: AdfDoc;
  author: SimUser;
  created: number;
  updated: number;
}

/** A link reads "source <outward phrase> target", e.g. "PRB-1 causes INC-7". */
export interface SimLink {
  id: string;
  typeId: string;
  sourceId: string;
  targetId: string;
}

export interface VersionSeed {
  name: string;
  description?: string;
  released?: boolean;
  archived?: boolean;
  releaseDate?: string;
  startDate?: string;
}

export interface ProjectSeed {
  key: string;
  name?: string;
  projectTypeKey?: SimProject['projectTypeKey'];
  components?: string[];
  versions?: (string | VersionSeed)[];
}

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The id/name/key a Jira reference object (`{id}`, `{name}`, `{key}`) or bare string points at. */
export function refOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  if (!isRecord(value)) return undefined;
  for (const prop of ['id', 'key', 'name', 'value']) {
    const v = value[prop];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isValidDate(value: string): boolean {
  return DATE_RE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}
