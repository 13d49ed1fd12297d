import { localDate } from './business-calendar.js';
import type { Incident, TrackerFields } from './model.js';
import type { IssueSpec, TrackerRules } from './tracker-plan.js';

/** The label an issue gets once its incident breached its SLA. */
export const SLA_BREACHED_LABEL = 'sla-breached';

/**
 * What the incident's priority and SLA put on its issue: the Jira priority of its priority (none when
 * the incident has no priority, so the severity decides), the resolution due date as Jira's date-only
 * field (`YYYY-MM-DD` in the SLA calendar's time zone) and the breach label.
 */
export function serviceLevelFields(
  incident: Incident,
  rules: Pick<TrackerRules, 'priorityNames'>,
): { priority?: string | undefined; dueDate?: string | undefined; labels: string[] } {
  const sla = incident.sla;
  return {
    priority: incident.priority ? rules.priorityNames?.[incident.priority] : undefined,
    dueDate: sla ? localDate(Date.parse(sla.resolutionDueAt), sla.timeZone) : undefined,
    labels: sla?.breachedAt ? [SLA_BREACHED_LABEL] : [],
  };
}

/** The fields of an issue the bridge keeps current besides its text, as written. */
export function fieldsOf(spec: Pick<IssueSpec, 'priority' | 'dueDate' | 'labels'>): TrackerFields {
  return { priority: spec.priority ?? null, dueDate: spec.dueDate ?? null, labels: [...spec.labels] };
}

/** A change of an existing issue's fields: only what differs from what was written before. */
export interface FieldUpdate {
  readonly priority?: string | undefined;
  /** Null clears the due date. */
  readonly dueDate?: string | null | undefined;
  /** Added to the issue's labels; labels people added stay. */
  readonly addLabels?: readonly string[] | undefined;
}

/**
 * What to write so the issue shows the spec's priority, due date and labels, given what the bridge
 * wrote before (unknown for issues made by older versions: then everything). Null: nothing. Fields
 * the bridge did not change are left alone, so a person's edit in Jira stays until the bridge's own
 * value changes.
 */
export function planFieldUpdate(
  spec: Pick<IssueSpec, 'priority' | 'dueDate' | 'labels'>,
  written: TrackerFields | undefined,
): FieldUpdate | null {
  const want = fieldsOf(spec);
  const priority = want.priority !== null && want.priority !== written?.priority ? want.priority : undefined;
  const dueDate =
    written === undefined
      ? (want.dueDate ?? undefined)
      : want.dueDate !== written.dueDate
        ? want.dueDate
        : undefined;
  const addLabels = want.labels.filter((l) => !written?.labels.includes(l));
  if (priority === undefined && dueDate === undefined && addLabels.length === 0) return null;
  return {
    ...(priority !== undefined ? { priority } : {}),
    ...(dueDate !== undefined ? { dueDate } : {}),
    ...(addLabels.length > 0 ? { addLabels } : {}),
  };
}
