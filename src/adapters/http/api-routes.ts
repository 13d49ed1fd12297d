import express, { Router } from 'express';
import { z } from 'zod';
import type { Clock, CommandResult, IncidentStore, Intake } from '../../app/ports.js';
import { INCIDENT_STATUSES, SOURCES } from '../../domain/model.js';
import { requireToken } from './auth.js';
import { AppError, notFound } from './errors.js';
import type { IncidentPresenter } from './incident-view.js';
import { parseOr400 } from './validation.js';

export interface ApiDeps {
  readonly store: IncidentStore;
  readonly intake: Intake;
  readonly clock: Clock;
  readonly token: string | undefined;
  /** Adds what is worked out at read time (the SLA's state and time left). */
  readonly presentIncident: IncidentPresenter;
}

const listQuery = z.object({
  status: z.enum(INCIDENT_STATUSES).optional(),
  source: z.enum(SOURCES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const actorBody = z.strictObject({ by: z.string().min(1).max(200).optional() }).default({});

function incidentOr404(id: string, r: CommandResult, present: IncidentPresenter): unknown {
  if (r.type !== 'incident' || r.incident === null) throw notFound(`incident ${id}`);
  if (r.rejected) throw new AppError(409, 'conflict', `incident ${id} cannot change: ${r.rejected}`);
  return { incident: present(r.incident) };
}

/** The read and triage API under `/api`, guarded by `API_TOKEN` when it is set. */
export function apiRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.use(requireToken(deps.token, 'api'), express.json({ limit: '64kb' }));

  router.get('/incidents', async (req, res) => {
    const q = parseOr400(listQuery, req.query, 'query');
    res.json({ incidents: (await deps.store.list(q)).map(deps.presentIncident) });
  });

  router.get('/incidents/:id', async (req, res) => {
    const incident = await deps.store.get(req.params.id);
    if (!incident) throw notFound(`incident ${req.params.id}`);
    res.json({ incident: deps.presentIncident(incident) });
  });

  router.post('/incidents/:id/ack', async (req, res) => {
    const body = parseOr400(actorBody, req.body ?? {}, 'body');
    const at = deps.clock.now().toISOString();
    const r = await deps.intake.submit({ type: 'ack', incidentId: req.params.id, by: body.by ?? null, at });
    res.json(incidentOr404(req.params.id, r, deps.presentIncident));
  });

  router.post('/incidents/:id/close', async (req, res) => {
    parseOr400(actorBody, req.body ?? {}, 'body');
    const at = deps.clock.now().toISOString();
    const r = await deps.intake.submit({ type: 'close', incidentId: req.params.id, at });
    res.json(incidentOr404(req.params.id, r, deps.presentIncident));
  });

  return router;
}
