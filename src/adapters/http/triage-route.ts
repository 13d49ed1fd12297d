import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';

/** `public/` at the package root, three levels above this file in `src/` and in `dist/` alike. */
const DIR = join(import.meta.dirname, '..', '..', '..', 'public');
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');

/**
 * The triage page at `/`: one HTML page, its script and its style, no framework. The page holds no
 * data itself; it asks `/api` with the API token, so it respects `API_TOKEN` like every other client.
 */
export function triageRoute(): Router {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>incident-bridge: triage</title>
<link rel="stylesheet" href="/triage.css">
</head>
<body>
<header><h1>incident-bridge</h1><a href="#/">Incidents</a><a href="#/problems">Problems</a></header>
<main>
<form id="login" hidden><label>API token <input id="token" type="password" autocomplete="current-password"></label> <button>Sign in</button></form>
<p id="error" role="alert"></p>
<div id="view"></div>
</main>
<script src="/triage.js"></script>
</body>
</html>`;
  const js = read('triage.js');
  const css = read('triage.css');
  const router = Router();
  const security = {
    'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
  };
  router.get('/', (_req, res) => res.set(security).type('html').send(html));
  router.get('/triage.js', (_req, res) => res.set(security).type('application/javascript').send(js));
  router.get('/triage.css', (_req, res) => res.set(security).type('text/css').send(css));
  return router;
}
