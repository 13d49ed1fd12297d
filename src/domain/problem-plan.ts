import type { Incident } from './model.js';
import type { Problem, ProblemNews } from './problems.js';
import { type Inline, link, paragraph, type RichText, text } from './rich-text.js';
import { contentHash, type IssueSpec, SUMMARY_MAX, toLabel } from './tracker-plan.js';

export interface ProblemIssueRules {
  readonly project: string;
  readonly issueType: string;
  readonly summary: string;
  readonly labels: readonly string[];
  readonly linkType: string;
  readonly releaseResolution: string;
  readonly transitions: { readonly resolve?: string | undefined; readonly reopen?: string | undefined };
}

export const problemLabel = (problemId: string): string => `incident-bridge-${problemId}`;

const NEWS_TEXT: Record<ProblemNews['kind'], string> = {
  'incident-linked': 'incident linked:',
  'incident-unlinked': 'incident unlinked:',
  regression: 'Regression: an incident recurred after the release of',
  'fix-pending': 'fix planned in',
  released: 'Fixed in',
  'root-cause': 'root cause recorded',
};

/** What the problem's issue should say: its status, root cause, fix version and every incident. */
export function planProblemIssue(
  problem: Problem,
  incidents: readonly Incident[],
  rules: ProblemIssueRules,
): IssueSpec {
  const summary = rules.summary
    .replace(/\{\{\s*title\s*\}\}/g, problem.title)
    .replace(/\{\{\s*id\s*\}\}/g, problem.id);
  const items: Inline[][] = incidents.map((i) => {
    const line: Inline[] = [text(`${i.id} `, { strong: true }), text(`[${i.status}] ${i.title}`)];
    if (i.jira?.key && i.jira.url) line.push(text(' '), link(i.jira.key, i.jira.url));
    return line;
  });
  const description: RichText = [
    paragraph(
      text(`Problem ${problem.id} found by incident-bridge. Key: `),
      text(problem.key, { code: true }),
    ),
    paragraph(text('Status: ', { strong: true }), text(problem.status)),
    paragraph(text('Root cause: ', { strong: true }), text(problem.rootCause ?? 'not known yet')),
    paragraph(text('Fix version: ', { strong: true }), text(problem.fixVersion ?? 'none yet')),
    { type: 'heading', text: `Incidents (${incidents.length})` },
    { type: 'bullets', items },
  ];
  return {
    project: rules.project,
    issueType: rules.issueType,
    summary: summary.length <= SUMMARY_MAX ? summary : `${summary.slice(0, SUMMARY_MAX - 1)}…`,
    description,
    labels: [...new Set([...rules.labels, problemLabel(problem.id)].map(toLabel))],
    components: [],
  };
}

export function renderProblemNews(news: readonly ProblemNews[], problem: Problem): RichText {
  return [
    paragraph(text(`incident-bridge, ${problem.id}:`, { strong: true })),
    {
      type: 'bullets',
      items: news.map((n) => [
        text(`${n.at} `),
        text(NEWS_TEXT[n.kind], { strong: true }),
        ...(n.ref !== undefined ? [text(` ${n.ref}`)] : []),
        ...(n.kind === 'root-cause' && problem.rootCause ? [text(`: ${problem.rootCause}`)] : []),
      ]),
    },
  ];
}

export interface ProblemSyncPlan {
  readonly spec: IssueSpec;
  readonly contentHash: string;
  readonly needsIssue: boolean;
  readonly updateContent: boolean;
  readonly comment: RichText | null;
  readonly newsSeq: number;
  /** Incident issues not linked to the problem's issue yet. */
  readonly linkKeys: readonly string[];
  readonly setFixVersion: string | null;
  readonly move: 'resolve' | 'reopen' | null;
}

export function planProblemSync(
  problem: Problem,
  incidents: readonly Incident[],
  rules: ProblemIssueRules,
): ProblemSyncPlan {
  const spec = planProblemIssue(problem, incidents, rules);
  const hash = contentHash(spec);
  const link = problem.jira;
  const needsIssue = !link?.key;
  const untold = needsIssue ? [] : problem.news.filter((n) => n.seq > (link?.newsSeq ?? 0));
  const state = link?.state ?? 'open';
  const done = problem.status === 'closed';
  const linked = new Set(link?.linkedKeys ?? []);
  return {
    spec,
    contentHash: hash,
    needsIssue,
    updateContent: !needsIssue && link?.contentHash !== hash,
    comment: untold.length > 0 ? renderProblemNews(untold, problem) : null,
    newsSeq: problem.news.at(-1)?.seq ?? 0,
    linkKeys: incidents
      .map((i) => i.jira?.key)
      .filter((k): k is string => typeof k === 'string' && !linked.has(k)),
    setFixVersion:
      problem.fixVersion !== null && problem.fixVersion !== (link?.fixVersion ?? null)
        ? problem.fixVersion
        : null,
    move: done && state === 'open' ? 'resolve' : !done && state === 'done' ? 'reopen' : null,
  };
}
