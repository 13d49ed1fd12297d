// The triage page: plain DOM, no framework. Data comes from the bridge's own API with the API token
// the engineer gives once per browser session.

const TOKEN = 'incident-bridge-api-token';
const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children.flat())
    node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return node;
}

async function api(path, init) {
  const token = sessionStorage.getItem(TOKEN);
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401) {
    showLogin();
    throw new Error('the API needs its token');
  }
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

function showLogin() {
  $('#login').hidden = false;
}

function slaText(i) {
  if (!i.sla) return '';
  const ms = i.sla.remainingMs;
  if (typeof ms !== 'number') return i.sla.state || '';
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3600000);
  const m = Math.floor((abs % 3600000) / 60000);
  return `${(ms < 0 ? 'overdue ' : '') + h}h ${m}m`;
}

function slaSort(i) {
  return i.sla && typeof i.sla.remainingMs === 'number' ? i.sla.remainingMs : Number.MAX_SAFE_INTEGER;
}

function sourceLinks(i) {
  const urls = [...new Set(i.alerts.map((a) => a.url).filter(Boolean))].slice(0, 3);
  return urls.flatMap((u, n) => [
    n > 0 ? ' ' : '',
    el('a', { href: u, target: '_blank', rel: 'noopener' }, `source${urls.length > 1 ? ` ${n + 1}` : ''}`),
  ]);
}

function jiraLink(x) {
  return x.jira?.url
    ? el('a', { href: x.jira.url, target: '_blank', rel: 'noopener', class: 'jira' }, x.jira.key)
    : '';
}

async function acknowledge(id) {
  await api(`/api/incidents/${encodeURIComponent(id)}/ack`, {
    method: 'POST',
    body: JSON.stringify({ by: 'triage page' }),
  });
  await route();
}

async function linkToProblem(id, value) {
  if (value === '') return;
  if (value === 'new') {
    const title = prompt('Title of the new problem');
    if (!title) return;
    await api('/api/problems', { method: 'POST', body: JSON.stringify({ title, incidentIds: [id] }) });
  } else {
    await api(`/api/incidents/${encodeURIComponent(id)}/problem`, {
      method: 'PUT',
      body: JSON.stringify({ problemId: value }),
    });
  }
  await route();
}

function incidentRow(i, problems) {
  const firing = i.alerts.filter((a) => a.status === 'firing').length;
  const select = el(
    'select',
    {
      'aria-label': `link ${i.id} to a problem`,
      'data-incident': i.id,
      onchange: (e) => linkToProblem(i.id, e.target.value).catch(fail),
    },
    el('option', { value: '' }, i.problemId ? 'move to problem…' : 'link to problem…'),
    problems
      .filter((p) => p.status !== 'closed' && p.id !== i.problemId)
      .map((p) => el('option', { value: p.id }, `${p.id} ${p.title}`)),
    el('option', { value: 'new' }, 'new problem…'),
  );
  return el(
    'tr',
    { 'data-id': i.id },
    el('td', {}, el('a', { href: `#/incidents/${i.id}` }, i.id)),
    el(
      'td',
      {},
      i.priority
        ? el('span', { class: `badge ${i.priority}` }, i.priority)
        : el('span', { class: 'muted' }, i.severity),
    ),
    el('td', {}, i.title, i.flapping ? [' ', el('span', { class: 'badge flapping' }, 'flapping')] : []),
    el('td', {}, i.status),
    el('td', { class: i.sla ? i.sla.state : '' }, slaText(i)),
    el('td', {}, `${firing} / ${i.alerts.length}`),
    el('td', {}, i.sources.join(', ')),
    el('td', {}, i.problemId ? el('a', { href: `#/problems/${i.problemId}` }, i.problemId) : ''),
    el('td', {}, jiraLink(i), ' ', sourceLinks(i)),
    el(
      'td',
      { class: 'actions' },
      i.status === 'open'
        ? el('button', { onclick: () => acknowledge(i.id).catch(fail) }, 'Acknowledge')
        : '',
      select,
    ),
  );
}

const INCIDENT_HEAD = [
  'Incident',
  'Priority',
  'Title',
  'Status',
  'SLA left',
  'Firing',
  'Sources',
  'Problem',
  'Links',
  'Actions',
];

function table(head, rows) {
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        head.map((h) => el('th', {}, h)),
      ),
    ),
    el('tbody', {}, rows),
  );
}

async function incidentsView() {
  const [open, acked, problems] = await Promise.all([
    api('/api/incidents?status=open&limit=1000'),
    api('/api/incidents?status=acknowledged&limit=1000'),
    api('/api/problems?limit=1000'),
  ]);
  const incidents = [...open.incidents, ...acked.incidents].sort(
    (a, b) => slaSort(a) - slaSort(b) || a.firstSeenAt.localeCompare(b.firstSeenAt),
  );
  return [
    el('h2', {}, `Open incidents (${incidents.length})`),
    incidents.length === 0
      ? el('p', { class: 'muted' }, 'Nothing open.')
      : table(
          INCIDENT_HEAD,
          incidents.map((i) => incidentRow(i, problems.problems)),
        ),
  ];
}

async function problemsView() {
  const { problems } = await api('/api/problems?limit=1000');
  return [
    el('h2', {}, `Problems (${problems.length})`),
    table(
      ['Problem', 'Title', 'Status', 'Incidents', 'Fix version', 'Jira'],
      problems.map((p) =>
        el(
          'tr',
          { 'data-id': p.id },
          el('td', {}, el('a', { href: `#/problems/${p.id}` }, p.id)),
          el('td', {}, p.title),
          el('td', {}, p.status),
          el('td', {}, p.incidentIds.length),
          el('td', {}, p.fixVersion || ''),
          el('td', {}, jiraLink(p)),
        ),
      ),
    ),
  ];
}

async function problemView(id) {
  const [{ problem, incidents }, all] = await Promise.all([
    api(`/api/problems/${encodeURIComponent(id)}`),
    api('/api/problems?limit=1000'),
  ]);
  return [
    el('h2', {}, `${problem.id}: ${problem.title}`),
    el(
      'p',
      {},
      'Status: ',
      el('strong', {}, problem.status),
      ' · Root cause: ',
      problem.rootCause || 'not known yet',
      ' · Fix version: ',
      problem.fixVersion || 'none',
      ' ',
      jiraLink(problem),
    ),
    table(
      INCIDENT_HEAD,
      incidents.map((i) => incidentRow(i, all.problems)),
    ),
  ];
}

async function incidentView(id) {
  const [{ incident }, problems] = await Promise.all([
    api(`/api/incidents/${encodeURIComponent(id)}`),
    api('/api/problems?limit=1000'),
  ]);
  return [
    el('h2', {}, `${incident.id}: ${incident.title}`),
    table(INCIDENT_HEAD, [incidentRow(incident, problems.problems)]),
    el('h3', {}, 'Alerts'),
    table(
      ['Alert', 'Status', 'Since', 'Labels', 'Source'],
      incident.alerts.map((a) =>
        el(
          'tr',
          {},
          el('td', {}, a.title),
          el('td', {}, a.status),
          el('td', {}, a.startsAt),
          el(
            'td',
            {},
            Object.entries(a.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', '),
          ),
          el('td', {}, a.url ? el('a', { href: a.url, target: '_blank', rel: 'noopener' }, 'open') : ''),
        ),
      ),
    ),
  ];
}

function fail(e) {
  $('#error').textContent = e.message;
}

async function route() {
  const hash = location.hash || '#/';
  for (const a of document.querySelectorAll('header a'))
    a.classList.toggle(
      'active',
      hash.startsWith(a.getAttribute('href')) && a.getAttribute('href') !== '#/'
        ? true
        : hash === a.getAttribute('href'),
    );
  const m = /^#\/(problems|incidents)\/(.+)$/.exec(hash);
  const view = m
    ? m[1] === 'problems'
      ? problemView(m[2])
      : incidentView(m[2])
    : hash === '#/problems'
      ? problemsView()
      : incidentsView();
  try {
    const nodes = await view;
    $('#error').textContent = '';
    $('#view').replaceChildren(...nodes);
  } catch (e) {
    fail(e);
  }
}

$('#login').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN, $('#token').value);
  $('#login').hidden = true;
  route();
});
window.addEventListener('hashchange', route);
setInterval(route, 30000);
route();
