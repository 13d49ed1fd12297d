import express, { Router } from 'express';
import { z } from 'zod';
import type { Clock, CommandResult, IncidentStore, Intake } from '../../app/ports.js';
import type { ProblemStore } from '../../app/problem-ports.js';
import { PROBLEM_STATUSES } from '../../domain/problems.js';
import { requireToken } from './auth.js';
import { AppError, badRequest, notFound } from './errors.js';
import type { IncidentPresenter } from './incident-view.js';
import { parseOr400 } from './validation.js';

export interface ProblemApiDeps {
  readonly store: IncidentStore;
  readonly problems: ProblemStore;
  readonly intake: Intake;
  readonly clock: Clock;
  readonly token: string | undefined;
  readonly presentIncident: IncidentPresenter;
}

const incidentId = z.string().regex(/^INC-\d+$/, 'expected an incident id such as INC-1');
const problemId = z.string().regex(/^PRB-\d+$/, 'expected a problem id such as PRB-1');
const version = z.string().trim().min(1).max(255);

const listQuery = z.object({
  status: z.enum(PROBLEM_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const createBody = z.strictObject({
  title: z.string().trim().min(1).max(255),
  incidentIds: z.array(incidentId).min(1).max(1000),
});
const linkBody = z.strictObject({ problemId: problemId.nullable() });
const patchBody = z
  .strictObject({
    rootCause: z.string().trim().min(1).max(10_000).nullable().optional(),
    fixVersion: version.nullable().optional(),
    status: z.enum(PROBLEM_STATUSES).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give rootCause, fixVersion or status' });
const releaseBody = z.strictObject({ version, project: z.string().trim().min(1).max(64).optional() });

function problemOr(id: string, r: CommandResult): unknown {
  if (r.type !== 'problem' || r.problem === null) throw notFound(`problem ${id}`);
  return { problem: r.problem };
}

/** Problems and releases under `/api`, guarded by `API_TOKEN` when it is set. */
export function problemRoutes(deps: ProblemApiDeps): Router {
  const router = Router();
  router.use(requireToken(deps.token, 'api'), express.json({ limit: '256kb' }));
  const at = () => deps.clock.now().toISOString();

  router.get('/problems', async (req, res) => {
    const q = parseOr400(listQuery, req.query, 'query');
    res.json({ problems: await deps.problems.listProblems(q) });
  });

  router.get('/problems/:id', async (req, res) => {
    const problem = await deps.problems.getProblem(req.params.id);
    if (!problem) throw notFound(`problem ${req.params.id}`);
    const incidents = await Promise.all(problem.incidentIds.map((id) => deps.store.get(id)));
    res.json({ problem, incidents: incidents.filter((i) => i !== null).map(deps.presentIncident) });
  });

  router.post('/problems', async (req, res) => {
    const body = parseOr400(createBody, req.body, 'body');
    const r = await deps.intake.submit({
      type: 'problem-create',
      title: body.title,
      incidentIds: body.incidentIds,
      at: at(),
    });
    if (r.type === 'problem' && r.rejected)
      throw badRequest(r.rejected, [{ path: 'incidentIds', message: r.rejected }]);
    res.status(201).json(problemOr('new', r));
  });

  router.patch('/problems/:id', async (req, res) => {
    const id = parseOr400(problemId, req.params.id, 'problem id');
    const patch = parseOr400(patchBody, req.body, 'body');
    if (!(await deps.problems.getProblem(id))) throw notFound(`problem ${id}`);
    res.json(
      problemOr(id, await deps.intake.submit({ type: 'problem-patch', problemId: id, patch, at: at() })),
    );
  });

  router.put('/incidents/:id/problem', async (req, res) => {
    const body = parseOr400(linkBody, req.body, 'body');
    if (!(await deps.store.get(req.params.id))) throw notFound(`incident ${req.params.id}`);
    const r = await deps.intake.submit({
      type: 'problem-link',
      incidentId: req.params.id,
      problemId: body.problemId,
      at: at(),
    });
    if (r.type === 'problem' && r.rejected) throw new AppError(404, 'not-found', r.rejected);
    if (r.type !== 'incident' || r.incident === null) throw notFound(`incident ${req.params.id}`);
    res.json({ incident: deps.presentIncident(r.incident) });
  });

  router.post('/releases', async (req, res) => {
    const body = parseOr400(releaseBody, req.body, 'body');
    const r = await deps.intake.submit({
      type: 'release',
      version: body.version,
      project: body.project,
      at: at(),
    });
    if (r.type !== 'released') throw new Error('release gave no release result');
    res.json({ version: body.version, problems: r.problemIds, incidents: r.incidentIds });
  });

  return router;
}
