/** A small document model the tracker adapters render as Atlassian Document Format or wiki markup. */
export type Inline =
  | { readonly type: 'text'; readonly text: string; readonly strong?: boolean; readonly code?: boolean }
  | { readonly type: 'link'; readonly text: string; readonly href: string };

export type Block =
  | { readonly type: 'paragraph'; readonly content: readonly Inline[] }
  | { readonly type: 'heading'; readonly text: string }
  | { readonly type: 'bullets'; readonly items: readonly (readonly Inline[])[] };

export type RichText = readonly Block[];

export const text = (t: string, marks: { strong?: boolean; code?: boolean } = {}): Inline => ({
  type: 'text',
  text: t,
  ...marks,
});
export const link = (t: string, href: string): Inline => ({ type: 'link', text: t, href });
export const paragraph = (...content: Inline[]): Block => ({ type: 'paragraph', content });

/** The characters a reader sees: what Jira's field limits are measured against, near enough. */
export function plainLength(doc: RichText): number {
  const inline = (xs: readonly Inline[]): number =>
    xs.reduce((n, x) => n + x.text.length + (x.type === 'link' ? x.href.length + 3 : 0), 0);
  return doc.reduce((n, b) => {
    if (b.type === 'heading') return n + b.text.length + 1;
    if (b.type === 'paragraph') return n + inline(b.content) + 1;
    return n + b.items.reduce((m, item) => m + inline(item) + 3, 0);
  }, 0);
}
