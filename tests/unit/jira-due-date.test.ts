import { describe, expect, it } from 'vitest';
import { type JiraClient, JiraError } from '../../src/adapters/jira/jira-client.js';
import { JiraTracker } from '../../src/adapters/jira/jira-tracker.js';
import type { IssueSpec } from '../../src/domain/tracker-plan.js';

/** A Jira whose screens lack the due date field, answering as Jira does (HTTP 400 naming the field). */
function jiraWithoutDueDate(other400 = false) {
  const sent: { op: string; fields: Record<string, unknown>; update?: unknown }[] = [];
  const client = {
    apiVersion: 3,
    browseUrl: (key: string) => `https://jira.example/browse/${key}`,
    async request(op: string, _method: string, _path: string, o: { data?: unknown } = {}) {
      const data = structuredClone(o.data) as { fields: Record<string, unknown>; update?: unknown };
      sent.push({ op, ...data });
      if (other400) throw new JiraError(op, 400, ["priority: Priority name 'Highest' is not valid"], false);
      if ('duedate' in data.fields) {
        throw new JiraError(
          op,
          400,
          ["duedate: Field 'duedate' cannot be set. It is not on the appropriate screen, or unknown."],
          false,
        );
      }
      return { key: 'OPS-1', id: '10001' };
    },
  } as unknown as JiraClient;
  return { tracker: new JiraTracker(client), sent };
}

const spec: IssueSpec = {
  project: 'OPS',
  issueType: 'Task',
  summary: 'Disk full',
  description: [],
  labels: ['incident-bridge'],
  components: [],
  priority: 'Highest',
  dueDate: '2026-11-20',
};

describe('a Jira without the due date on its screens', () => {
  it('creates the issue without a due date rather than not at all', async () => {
    const { tracker, sent } = jiraWithoutDueDate();
    expect(await tracker.create(spec)).toMatchObject({ key: 'OPS-1' });
    expect(sent.map((s) => [s.op, s.fields.duedate])).toEqual([
      ['create-issue', '2026-11-20'],
      ['create-issue', undefined],
    ]);
    expect(sent[1]?.fields.priority).toEqual({ name: 'Highest' });
  });

  it('still sets the priority and adds the breach label', async () => {
    const { tracker, sent } = jiraWithoutDueDate();
    await tracker.updateFields('OPS-1', {
      priority: 'High',
      dueDate: '2026-11-23',
      addLabels: ['sla-breached'],
    });
    expect(sent.at(-1)).toEqual({
      op: 'update-issue',
      fields: { priority: { name: 'High' } },
      update: { labels: [{ add: 'sla-breached' }] },
    });
  });

  it('does not hide other refusals', async () => {
    const { tracker, sent } = jiraWithoutDueDate(true);
    await expect(tracker.create(spec)).rejects.toThrow(/Priority name/);
    expect(sent).toHaveLength(1);
  });
});
