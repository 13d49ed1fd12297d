/**
 * A small JQL parser and evaluator: enough for what the bridge sends, strict about what it does not know.
 *
 * Supported: clauses `field = v`, `!=`, `in (...)`, `not in (...)`, `is [not] EMPTY|NULL`, `~`, `!~`,
 * combined with AND / OR / NOT and parentheses; a trailing `ORDER BY ...` is parsed and ignored.
 * Fields: project, key (issuekey, id), labels, fixVersion, component, status, statusCategory,
 * issuetype (type), priority, resolution, summary (text for `~`).
 */

export class JqlError extends Error {
  override readonly name = 'JqlError';
}

export type JqlOperator = '=' | '!=' | 'in' | 'not in' | 'is' | 'is not' | '~' | '!~';

export type JqlValue = { kind: 'string'; value: string } | { kind: 'empty' };

export type JqlNode =
  | { kind: 'and'; left: JqlNode; right: JqlNode }
  | { kind: 'or'; left: JqlNode; right: JqlNode }
  | { kind: 'not'; operand: JqlNode }
  | { kind: 'clause'; field: JqlField; operator: JqlOperator; values: JqlValue[] };

export interface JqlQuery {
  where: JqlNode | null;
  orderBy: { field: string; direction: 'asc' | 'desc' }[];
}

export type JqlField =
  | 'project'
  | 'key'
  | 'labels'
  | 'fixVersion'
  | 'component'
  | 'status'
  | 'statusCategory'
  | 'issuetype'
  | 'priority'
  | 'resolution'
  | 'summary';

const FIELD_ALIASES: Record<string, JqlField> = {
  project: 'project',
  key: 'key',
  issuekey: 'key',
  id: 'key',
  labels: 'labels',
  label: 'labels',
  fixversion: 'fixVersion',
  component: 'component',
  components: 'component',
  status: 'status',
  statuscategory: 'statusCategory',
  issuetype: 'issuetype',
  type: 'issuetype',
  priority: 'priority',
  resolution: 'resolution',
  summary: 'summary',
  text: 'summary',
};

type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ','; pos: number }
  | { kind: 'op'; text: '=' | '!=' | '~' | '!~'; pos: number };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const ch = jql.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      const start = i;
      let text = '';
      i++;
      while (i < jql.length && jql.charAt(i) !== ch) {
        if (jql.charAt(i) === '\\' && i + 1 < jql.length) i++;
        text += jql.charAt(i);
        i++;
      }
      if (i >= jql.length)
        throw new JqlError(`Error in the JQL Query: unterminated string at position ${start}.`);
      i++;
      tokens.push({ kind: 'string', text, pos: start });
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: 'punct', text: ch, pos: i });
      i++;
    } else if (ch === '=' || ch === '~') {
      tokens.push({ kind: 'op', text: ch, pos: i });
      i++;
    } else if (ch === '!' && (jql.charAt(i + 1) === '=' || jql.charAt(i + 1) === '~')) {
      tokens.push({ kind: 'op', text: jql.charAt(i + 1) === '=' ? '!=' : '!~', pos: i });
      i += 2;
    } else {
      const match = /^[A-Za-z0-9_.\-@:]+/.exec(jql.slice(i));
      if (!match) {
        throw new JqlError(
          `Error in the JQL Query: The character '${ch}' is a reserved JQL character. (line 1, character ${i + 1})`,
        );
      }
      tokens.push({ kind: 'word', text: match[0], pos: i });
      i += match[0].length;
    }
  }
  return tokens;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): JqlQuery {
    const where = this.atOrderBy() || this.peek() === undefined ? null : this.parseOr();
    const orderBy = this.parseOrderBy();
    const rest = this.peek();
    if (rest) throw new JqlError(`Error in the JQL Query: Expecting end of query but got '${rest.text}'.`);
    return { where, orderBy };
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  private next(): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new JqlError('Error in the JQL Query: The query ended unexpectedly.');
    return token;
  }

  private isWord(token: Token | undefined, word: string): boolean {
    return token?.kind === 'word' && token.text.toLowerCase() === word;
  }

  private atOrderBy(): boolean {
    return this.isWord(this.peek(), 'order') && this.isWord(this.peek(1), 'by');
  }

  private parseOr(): JqlNode {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): JqlNode {
    let left = this.parseUnary();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): JqlNode {
    const token = this.peek();
    if (this.isWord(token, 'not')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary() };
    }
    if (token?.kind === 'punct' && token.text === '(') {
      this.next();
      const inner = this.parseOr();
      this.expectPunct(')');
      return inner;
    }
    return this.parseClause();
  }

  private expectPunct(text: '(' | ')' | ','): void {
    const token = this.next();
    if (token.kind !== 'punct' || token.text !== text) {
      throw new JqlError(`Error in the JQL Query: Expecting '${text}' but got '${token.text}'.`);
    }
  }

  private parseClause(): JqlNode {
    const fieldToken = this.next();
    if (fieldToken.kind !== 'word' && fieldToken.kind !== 'string') {
      throw new JqlError(`Error in the JQL Query: Expecting a field name but got '${fieldToken.text}'.`);
    }
    const field = FIELD_ALIASES[fieldToken.text.toLowerCase()];
    if (!field) {
      throw new JqlError(
        `Field '${fieldToken.text}' does not exist or you do not have permission to view it.`,
      );
    }
    const operator = this.parseOperator();
    if (operator === 'in' || operator === 'not in') {
      this.expectPunct('(');
      const values: JqlValue[] = [this.parseValue()];
      while (this.peek()?.kind === 'punct' && this.peek()?.text === ',') {
        this.next();
        values.push(this.parseValue());
      }
      this.expectPunct(')');
      return { kind: 'clause', field, operator, values };
    }
    const value = this.parseValue();
    if ((operator === 'is' || operator === 'is not') && value.kind !== 'empty') {
      throw new JqlError(
        `Error in the JQL Query: The operator '${operator.toUpperCase()}' only takes EMPTY or NULL.`,
      );
    }
    return { kind: 'clause', field, operator, values: [value] };
  }

  private parseOperator(): JqlOperator {
    const token = this.next();
    if (token.kind === 'op') return token.text;
    if (this.isWord(token, 'in')) return 'in';
    if (this.isWord(token, 'is')) {
      if (this.isWord(this.peek(), 'not')) {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    if (this.isWord(token, 'not') && this.isWord(this.peek(), 'in')) {
      this.next();
      return 'not in';
    }
    throw new JqlError(`Error in the JQL Query: Expecting operator but got '${token.text}'.`);
  }

  private parseValue(): JqlValue {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase();
      if (lower === 'empty' || lower === 'null') return { kind: 'empty' };
      return { kind: 'string', value: token.text };
    }
    throw new JqlError(`Error in the JQL Query: Expecting a value but got '${token.text}'.`);
  }

  private parseOrderBy(): JqlQuery['orderBy'] {
    if (!this.atOrderBy()) return [];
    this.next();
    this.next();
    const orderBy: JqlQuery['orderBy'] = [];
    for (;;) {
      const field = this.next();
      let direction: 'asc' | 'desc' = 'asc';
      if (this.isWord(this.peek(), 'asc') || this.isWord(this.peek(), 'desc')) {
        direction = this.next().text.toLowerCase() === 'desc' ? 'desc' : 'asc';
      }
      orderBy.push({ field: field.text, direction });
      const sep = this.peek();
      if (sep?.kind !== 'punct' || sep.text !== ',') break;
      this.next();
    }
    return orderBy;
  }
}

/** Parses JQL; throws {@link JqlError} with a Jira-like message on syntax errors and unknown fields. */
export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql)).parse();
}

/** What the evaluator sees of an issue: for each field, every name/id/key it can be matched by. */
export interface JqlIssueView {
  values(field: JqlField): { matchable: string[][]; text?: string };
}

/** Lets the caller reject values Jira would reject (unknown project, version, issue key...). */
export type JqlValueCheck = (field: JqlField, value: string) => string | null;

/** Returns Jira-style error messages for values that do not exist; empty when the query is valid. */
export function checkJqlValues(query: JqlQuery, check: JqlValueCheck): string[] {
  const errors: string[] = [];
  const visit = (node: JqlNode | null): void => {
    if (!node) return;
    if (node.kind === 'and' || node.kind === 'or') {
      visit(node.left);
      visit(node.right);
    } else if (node.kind === 'not') {
      visit(node.operand);
    } else if (node.operator !== '~' && node.operator !== '!~') {
      for (const value of node.values) {
        if (value.kind !== 'string') continue;
        const error = check(node.field, value.value);
        if (error) errors.push(error);
      }
    }
  };
  visit(query.where);
  return errors;
}

function clauseMatches(
  clause: Extract<JqlNode, { kind: 'clause' }>,
  view: ReturnType<JqlIssueView['values']>,
): boolean {
  const { operator, values } = clause;
  if (operator === '~' || operator === '!~') {
    const haystack = (view.text ?? '').toLowerCase();
    const needle = values[0]?.kind === 'string' ? values[0].value.toLowerCase().replace(/\*/g, '') : '';
    const found = haystack.includes(needle);
    return operator === '~' ? found : !found;
  }
  const isEmpty = view.matchable.length === 0;
  if (operator === 'is') return isEmpty;
  if (operator === 'is not') return !isEmpty;
  const hasValue = (value: JqlValue): boolean => {
    if (value.kind === 'empty') return isEmpty;
    if (clause.field === 'resolution' && value.value.toLowerCase() === 'unresolved') return isEmpty;
    const wanted = value.value.toLowerCase();
    return view.matchable.some((names) => names.some((name) => name.toLowerCase() === wanted));
  };
  const any = values.some(hasValue);
  return operator === '=' || operator === 'in' ? any : !any;
}

/** True when the issue matches the query's WHERE part (a query with no WHERE matches everything). */
export function matchesJql(query: JqlQuery, issue: JqlIssueView): boolean {
  const evaluate = (node: JqlNode): boolean => {
    switch (node.kind) {
      case 'and':
        return evaluate(node.left) && evaluate(node.right);
      case 'or':
        return evaluate(node.left) || evaluate(node.right);
      case 'not':
        return !evaluate(node.operand);
      case 'clause':
        return clauseMatches(node, issue.values(node.field));
    }
  };
  return query.where === null ? true : evaluate(query.where);
}
