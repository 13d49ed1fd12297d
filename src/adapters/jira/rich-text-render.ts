import type { Block, Inline, RichText } from '../../domain/rich-text.js';

type AdfNode = Record<string, unknown>;

function adfInline(x: Inline): AdfNode {
  if (x.type === 'link')
    return { type: 'text', text: x.text, marks: [{ type: 'link', attrs: { href: x.href } }] };
  const marks = [...(x.strong ? [{ type: 'strong' }] : []), ...(x.code ? [{ type: 'code' }] : [])];
  return { type: 'text', text: x.text, ...(marks.length > 0 ? { marks } : {}) };
}

const nonEmpty = (xs: readonly Inline[]): Inline[] => xs.filter((x) => x.text !== '');

function adfBlock(b: Block): AdfNode {
  switch (b.type) {
    case 'heading':
      return { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: b.text }] };
    case 'paragraph':
      return { type: 'paragraph', content: nonEmpty(b.content).map(adfInline) };
    case 'bullets':
      return {
        type: 'bulletList',
        content: b.items.map((item) => ({
          type: 'listItem',
          content: [{ type: 'paragraph', content: nonEmpty(item).map(adfInline) }],
        })),
      };
  }
}

/** Jira Cloud (REST v3) takes rich text as Atlassian Document Format. */
export function toAdf(doc: RichText): AdfNode {
  const content = doc.filter((b) => b.type !== 'bullets' || b.items.length > 0).map(adfBlock);
  return { type: 'doc', version: 1, content };
}

/** Escapes what wiki markup would read as formatting. */
function escapeWiki(s: string): string {
  // Braces, brackets, emphasis and table bars; -, +, ^ and ~ only format in pairs around words, left be.
  return s.replace(/([{}[\]*_|\\])/g, '\\$1');
}

function wikiInline(x: Inline): string {
  if (x.type === 'link') return `[${escapeWiki(x.text).replace(/\|/g, '')}|${x.href}]`;
  if (x.code) return `{{${x.text.replace(/[{}]/g, '')}}}`;
  const t = escapeWiki(x.text);
  return x.strong && t.trim() !== '' ? `*${t.trim()}*${x.text.endsWith(' ') ? ' ' : ''}` : t;
}

/** Jira Data Center (REST v2) takes rich text as wiki markup. */
export function toWiki(doc: RichText): string {
  return doc
    .map((b) => {
      if (b.type === 'heading') return `h3. ${escapeWiki(b.text)}`;
      if (b.type === 'paragraph') return b.content.map(wikiInline).join('');
      return b.items.map((item) => `* ${item.map(wikiInline).join('')}`).join('\n');
    })
    .join('\n\n');
}
