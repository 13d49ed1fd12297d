import type { RequestListener } from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import type { Clock, IncidentStore, Intake, Logger, Metrics } from '../../app/ports.js';
import type { ProblemStore } from '../../app/problem-ports.js';
import { alertmanagerSource } from '../sources/alertmanager-source.js';
import { zabbixSource } from '../sources/zabbix-source.js';
import { apiRoutes } from './api-routes.js';
import type { CheckBody } from './body-check.js';
import { errorHandler, notFound } from './errors.js';
import type { IncidentPresenter } from './incident-view.js';
import { type JiraWebhookDeps, jiraWebhookRoute } from './jira-webhook-route.js';
import { opsRoutes } from './ops-routes.js';
import { problemRoutes } from './problem-routes.js';
import { reportRoutes } from './report-routes.js';
import { triageRoute } from './triage-route.js';
import { type RawDeliveryIntake, webhookHandler, webhookRoute } from './webhook-route.js';

export interface HttpDeps {
  readonly intake: Intake;
  readonly rawIntake?: RawDeliveryIntake | undefined;
  readonly checkBody?: CheckBody | undefined;
  readonly store: IncidentStore;
  readonly problems: ProblemStore;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly webhookToken: string | undefined;
  readonly apiToken: string | undefined;
  readonly maxBodyBytes: number;
  readonly draining: () => boolean;
  readonly presentIncident: IncidentPresenter;
  readonly jiraWebhook: Pick<JiraWebhookDeps, 'secret' | 'projectKeyOf' | 'rootCauseField'>;
}

/**
 * The whole HTTP surface; reading this function tells every route the bridge serves. Webhook POSTs take
 * the direct way to their handler; everything else goes through express.
 */
export function createHttpApp(deps: HttpDeps): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const webhookDeps = { ...deps, token: deps.webhookToken };
  const webhooks = new Map<string, RequestListener>([
    ['/webhooks/alertmanager', webhookHandler(webhookDeps, alertmanagerSource)],
    ['/webhooks/zabbix', webhookHandler(webhookDeps, zabbixSource)],
  ]);
  for (const [path, handler] of webhooks) app.use(path, webhookRoute(handler));
  app.use('/webhooks/jira', jiraWebhookRoute({ ...deps, ...deps.jiraWebhook }));
  app.use('/api', apiRoutes({ ...deps, token: deps.apiToken }));
  app.use('/api', problemRoutes({ ...deps, token: deps.apiToken }));
  app.use('/api/reports', reportRoutes({ ...deps, token: deps.apiToken }));
  app.use(opsRoutes(deps));
  app.use(triageRoute());
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return (req, res) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const handler =
      req.method === 'POST' ? webhooks.get(query === -1 ? url : url.slice(0, query)) : undefined;
    if (handler) handler(req, res);
    else app(req, res);
  };
}
