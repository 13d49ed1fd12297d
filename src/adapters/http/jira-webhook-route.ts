import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, Router } from 'express';
import { z } from 'zod';
import type { Clock, Intake, JiraEvent, Logger } from '../../app/ports.js';
import { AppError, unavailable } from './errors.js';
import { parseOr400 } from './validation.js';

export interface JiraWebhookDeps {
  readonly intake: Intake;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `JIRA_WEBHOOK_SECRET`: when set, every delivery must carry its HMAC. */
  readonly secret: string | undefined;
  readonly maxBodyBytes: number;
  /** The key of the project with that numeric id, among the projects the bridge serves; null otherwise. */
  readonly projectKeyOf: (projectId: string) => Promise<string | null>;
  /** A custom field holding the root-cause conclusion, when the rules name one. */
  readonly rootCauseField: string | undefined;
}

const id = z.union([z.string(), z.number()]).transform(String);

const payloadSchema = z.object({
  webhookEvent: z.string(),
  version: z.object({ name: z.string(), projectId: id }).loose().optional(),
  issue: z
    .object({
      id,
      key: z.string(),
      fields: z
        .object({
          fixVersions: z.array(z.object({ name: z.string() }).loose()).nullish(),
          status: z
            .object({ statusCategory: z.object({ key: z.string() }).loose().optional() })
            .loose()
            .nullish(),
        })
        .loose()
        .default({}),
    })
    .loose()
    .optional(),
  comment: z.object({ body: z.unknown() }).loose().optional(),
  issueLink: z.object({ sourceIssueId: id, destinationIssueId: id }).loose().optional(),
});

type Payload = z.infer<typeof payloadSchema>;

/** Plain text of a v2 string or a v3 Atlassian document. */
export function plainText(body: unknown): string | null {
  if (typeof body === 'string') return body.trim() || null;
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as { type?: unknown; text?: unknown; content?: unknown };
    if (typeof n.text === 'string') parts.push(n.text);
    if (Array.isArray(n.content)) {
      for (const c of n.content) walk(c);
      if (n.type === 'paragraph') parts.push('\n');
    }
  };
  walk(body);
  return parts.join('').trim() || null;
}

/** `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time. */
export function signatureValid(secret: string, raw: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function toEvent(p: Payload, deps: JiraWebhookDeps): Promise<JiraEvent | null> {
  switch (p.webhookEvent) {
    case 'jira:version_released': {
      if (!p.version) return null;
      const project = await deps.projectKeyOf(p.version.projectId);
      return project ? { kind: 'version-released', version: p.version.name, project } : null;
    }
    case 'jira:issue_updated': {
      if (!p.issue) return null;
      const category = p.issue.fields.status?.statusCategory?.key ?? '';
      const fieldValue = deps.rootCauseField
        ? (p.issue.fields as Record<string, unknown>)[deps.rootCauseField]
        : undefined;
      // Without a configured field, the comment that resolves the issue holds the conclusion.
      const rootCause = deps.rootCauseField
        ? plainText(fieldValue)
        : category === 'done' && p.comment
          ? plainText(p.comment.body)
          : null;
      return {
        kind: 'issue-updated',
        issueId: p.issue.id,
        issueKey: p.issue.key,
        fixVersions: (p.issue.fields.fixVersions ?? []).map((v) => v.name),
        statusCategory: category,
        rootCause,
      };
    }
    case 'issuelink_created':
    case 'issuelink_deleted':
      return p.issueLink
        ? {
            kind: p.webhookEvent === 'issuelink_created' ? 'link-created' : 'link-deleted',
            sourceIssueId: p.issueLink.sourceIssueId,
            destinationIssueId: p.issueLink.destinationIssueId,
          }
        : null;
    default:
      return null;
  }
}

/**
 * `POST /webhooks/jira`: releases, issue updates and issue links from Jira. Signed deliveries only when
 * a secret is set; a delivery id already handled changes nothing; a failure to store answers 503, which
 * Jira retries for about 30 minutes.
 */
export function jiraWebhookRoute(deps: JiraWebhookDeps): Router {
  const router = Router();
  router.post('/', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req: Request, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (deps.secret !== undefined && !signatureValid(deps.secret, raw, req.get('x-hub-signature'))) {
      throw new AppError(401, 'unauthorized', 'missing or wrong X-Hub-Signature');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AppError(400, 'invalid-json', 'request body is not valid JSON');
    }
    const payload = parseOr400(payloadSchema, json, 'jira webhook');
    const event = await toEvent(payload, deps).catch((e: unknown) => {
      deps.logger.warn('jira webhook not understood now', { event: payload.webhookEvent, error: String(e) });
      throw unavailable('could not read the delivery now; try again');
    });
    if (!event) {
      res.status(202).json({ accepted: false, reason: 'not an event the bridge handles' });
      return;
    }
    const deliveryId = req.get('x-atlassian-webhook-identifier') ?? null;
    try {
      await deps.intake.submit({ type: 'jira-event', deliveryId, event, at: deps.clock.now().toISOString() });
    } catch (e) {
      deps.logger.error('jira webhook not stored', { event: payload.webhookEvent, error: String(e) });
      throw unavailable('the delivery could not be stored; try again');
    }
    res.status(202).json({ accepted: true });
  });
  return router;
}
