/** A Jira error answer: HTTP status plus Jira's `{errorMessages, errors}` body. */
export class JiraError extends Error {
  override readonly name = 'JiraError';

  constructor(
    readonly status: number,
    readonly errorMessages: string[],
    readonly errors: Record<string, string> = {},
  ) {
    super(
      `${status}: ${[...errorMessages, ...Object.entries(errors).map(([k, v]) => `${k}: ${v}`)].join('; ')}`,
    );
  }

  body(): { errorMessages: string[]; errors: Record<string, string> } {
    return { errorMessages: [...this.errorMessages], errors: { ...this.errors } };
  }
}

export function notOnScreen(field: string): string {
  return `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;
}

export const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';
