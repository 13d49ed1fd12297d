/**
 * Atlassian Document Format (ADF) helpers for the Jira simulator.
 *
 * REST v3 takes and returns rich-text fields as ADF documents; REST v2 (and Data Center) uses
 * wiki-markup strings. The simulator stores ADF and converts at the edge. The conversion is
 * plain-text only: wiki markup such as `*bold*` is kept as literal text, which is all the
 * bridge's tests need.
 */

export interface AdfNode {
  type: string;
  text?: string;
  content?: AdfNode[];
  attrs?: Record<string, unknown>;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAdfNode(value: unknown): value is AdfNode {
  if (!isRecord(value) || typeof value.type !== 'string' || value.type === '') return false;
  if (value.type === 'text' && typeof value.text !== 'string') return false;
  if (value.content !== undefined) {
    if (!Array.isArray(value.content)) return false;
    return value.content.every(isAdfNode);
  }
  return true;
}

/** True when `value` is a structurally valid ADF document (`{type:"doc", version:1, content:[...]}`). */
export function isAdfDoc(value: unknown): value is AdfDoc {
  return (
    isRecord(value) &&
    value.type === 'doc' &&
    value.version === 1 &&
    Array.isArray(value.content) &&
    value.content.every(isAdfNode)
  );
}

/** Builds an ADF document from plain text: blank lines separate paragraphs, single newlines become hard breaks. */
export function textToAdf(text: string): AdfDoc {
  const paragraphs = text
    .replace(/\r\n/g, '\n')
    .split(/\n{2,}/)
    .filter((p) => p.length > 0);
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((paragraph) => {
      const content: AdfNode[] = [];
      paragraph.split('\n').forEach((line, index) => {
        if (index > 0) content.push({ type: 'hardBreak' });
        if (line.length > 0) content.push({ type: 'text', text: line });
      });
      return { type: 'paragraph', content };
    }),
  };
}

const BLOCK_TYPES = new Set([
  'paragraph',
  'heading',
  'blockquote',
  'codeBlock',
  'bulletList',
  'orderedList',
  'listItem',
  'panel',
  'rule',
  'table',
  'tableRow',
]);

function inlineText(node: AdfNode): string {
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return '\n';
  if (node.type === 'mention' || node.type === 'emoji' || node.type === 'status') {
    const attrs = node.attrs ?? {};
    const label = attrs.text ?? attrs.shortName ?? '';
    return typeof label === 'string' ? label : '';
  }
  if (node.type === 'inlineCard') {
    const url = node.attrs?.url;
    return typeof url === 'string' ? url : '';
  }
  return (node.content ?? []).map((child) => nodeText(child)).join('');
}

function nodeText(node: AdfNode): string {
  if (!BLOCK_TYPES.has(node.type)) return inlineText(node);
  const children = node.content ?? [];
  const childIsBlock = children.some((c) => BLOCK_TYPES.has(c.type));
  return children.map((c) => nodeText(c)).join(childIsBlock ? '\n' : '');
}

/** Flattens an ADF document to plain text: paragraphs separated by a blank line, hard breaks as newlines. */
export function adfToText(doc: AdfDoc): string {
  return doc.content.map((node) => nodeText(node)).join('\n\n');
}
