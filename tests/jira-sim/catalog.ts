/**
 * The simulator's fixed Jira configuration: issue types, priorities, statuses, workflow, resolutions
 * and issue link types. Ids follow the ones a fresh Jira Cloud site uses where they are well known.
 */

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface SimStatus {
  id: string;
  name: string;
  description: string;
  category: StatusCategoryKey;
}

export interface SimTransition {
  id: string;
  name: string;
  /** Status names the transition is available from. */
  from: string[];
  /** Target status name. */
  to: string;
  /** True when the transition has a screen with the Resolution field on it. */
  resolutionOnScreen: boolean;
}

export interface SimResolution {
  id: string;
  name: string;
  description: string;
}

export interface SimPriority {
  id: string;
  name: string;
  description: string;
  statusColor: string;
}

export interface SimIssueType {
  id: string;
  name: string;
  description: string;
}

export interface SimLinkType {
  id: string;
  name: string;
  inward: string;
  outward: string;
}

export const STATUS_CATEGORIES: Record<StatusCategoryKey, { id: number; name: string; colorName: string }> = {
  new: { id: 2, name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, name: 'Done', colorName: 'green' },
};

export const STATUSES: readonly SimStatus[] = [
  { id: '10000', name: 'To Do', description: 'Work that has not been started.', category: 'new' },
  {
    id: '3',
    name: 'In Progress',
    description: 'The issue is currently being worked on.',
    category: 'indeterminate',
  },
  { id: '10001', name: 'Done', description: 'Work has been completed.', category: 'done' },
];

export const INITIAL_STATUS = 'To Do';

/**
 * The workflow. "Done" and "Resolve" have a screen with Resolution; "Start Progress", "Stop Progress"
 * and "Reopen" have none, so sending a resolution with them is a 400, as on a real site.
 */
export const TRANSITIONS: readonly SimTransition[] = [
  { id: '11', name: 'Start Progress', from: ['To Do'], to: 'In Progress', resolutionOnScreen: false },
  { id: '21', name: 'Stop Progress', from: ['In Progress'], to: 'To Do', resolutionOnScreen: false },
  { id: '31', name: 'Done', from: ['To Do', 'In Progress'], to: 'Done', resolutionOnScreen: true },
  { id: '41', name: 'Resolve', from: ['In Progress'], to: 'Done', resolutionOnScreen: true },
  { id: '51', name: 'Reopen', from: ['Done'], to: 'To Do', resolutionOnScreen: false },
];

export const RESOLUTIONS: readonly SimResolution[] = [
  { id: '1', name: 'Fixed', description: 'A fix for this issue is checked in and tested.' },
  { id: '2', name: "Won't Fix", description: 'The problem described is an issue which will never be fixed.' },
  { id: '3', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
];

/** Resolution a transition into a done status sets when the request names none (the screen's default). */
export const DEFAULT_RESOLUTION = 'Done';

export const PRIORITIES: readonly SimPriority[] = [
  { id: '1', name: 'Highest', description: 'This problem will block progress.', statusColor: '#d04437' },
  {
    id: '2',
    name: 'High',
    description: 'Serious problem that could block progress.',
    statusColor: '#f15C75',
  },
  { id: '3', name: 'Medium', description: 'Has the potential to affect progress.', statusColor: '#f79232' },
  { id: '4', name: 'Low', description: 'Minor problem or easily worked around.', statusColor: '#707070' },
  {
    id: '5',
    name: 'Lowest',
    description: 'Trivial problem with little or no impact.',
    statusColor: '#999999',
  },
];

export const DEFAULT_PRIORITY = 'Medium';

export const ISSUE_TYPES: readonly SimIssueType[] = [
  { id: '10001', name: 'Task', description: 'A small, distinct piece of work.' },
  { id: '10002', name: 'Bug', description: 'A problem or error.' },
  { id: '10003', name: 'Incident', description: 'For system outages or incidents.' },
  { id: '10004', name: 'Problem', description: 'Track underlying causes of incidents.' },
];

export const LINK_TYPES: readonly SimLinkType[] = [
  { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
  { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
  { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
  { id: '10004', name: 'Problem/Incident', inward: 'is caused by', outward: 'causes' },
];

function byIdOrName<T extends { id: string; name: string }>(list: readonly T[], ref: string): T | undefined {
  const lower = ref.toLowerCase();
  return list.find((item) => item.id === ref) ?? list.find((item) => item.name.toLowerCase() === lower);
}

export function findStatus(ref: string): SimStatus | undefined {
  return byIdOrName(STATUSES, ref);
}

export function findResolution(ref: string): SimResolution | undefined {
  return byIdOrName(RESOLUTIONS, ref);
}

export function findPriority(ref: string): SimPriority | undefined {
  return byIdOrName(PRIORITIES, ref);
}

export function findIssueType(ref: string): SimIssueType | undefined {
  return byIdOrName(ISSUE_TYPES, ref);
}

export function findLinkType(ref: string): SimLinkType | undefined {
  return byIdOrName(LINK_TYPES, ref);
}

export function statusOf(id: string): SimStatus {
  const status = STATUSES.find((s) => s.id === id);
  if (!status) throw new Error(`unknown status id ${id}`);
  return status;
}
