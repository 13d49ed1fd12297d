import { Router } from 'express';
import { z } from 'zod';
import type { Clock, IncidentStore } from '../../app/ports.js';
import { serviceReport } from '../../domain/service-report.js';
import { requireToken } from './auth.js';
import { badRequest } from './errors.js';
import { parseOr400 } from './validation.js';

export interface ReportDeps {
  readonly store: Pick<IncidentStore, 'list'>;
  readonly clock: Clock;
  readonly token: string | undefined;
}

const DAY = 86_400_000;

/** A time (`2026-11-01T00:00:00Z`, with an offset) or a date (`2026-11-01`, midnight UTC). */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((s) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s));

const summaryQuery = z.object({ from: instant.optional(), to: instant.optional() });

/** `GET /api/reports/summary?from=&to=`: the service figures of the period `[from, to)`, by source and priority. */
export function reportRoutes(deps: ReportDeps): Router {
  const router = Router();
  router.use(requireToken(deps.token, 'api'));
  router.get('/summary', async (req, res) => {
    const q = parseOr400(summaryQuery, req.query, 'query');
    const now = deps.clock.now().getTime();
    const to = q.to ?? now;
    const from = q.from ?? to - 30 * DAY;
    if (from >= to) throw badRequest('from must be before to', [{ path: 'from', message: 'after to' }]);
    const incidents = await deps.store.list({ limit: 10_000_000 });
    const period = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    res.json(serviceReport(incidents, period, new Date(now).toISOString()));
  });
  return router;
}
