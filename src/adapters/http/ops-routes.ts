import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Intake } from '../../app/ports.js';

export interface OpsDeps {
  readonly registry: Registry;
  readonly intake: Intake;
  readonly draining: () => boolean;
}

/** `/metrics`, `/healthz` (the process answers) and `/readyz` (it can take deliveries durably). */
export function opsRoutes(deps: OpsDeps): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const ready = !deps.draining() && (await deps.intake.ready().catch(() => false));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready' });
  });
  return router;
}
