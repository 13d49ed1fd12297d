import { invalidParams, RpcError } from './errors.js';
import type { SimEvent } from './model.js';
import { type Output, pick, type Rules, validate } from './params.js';
import type { ZabbixState } from './state.js';

/** Zabbix 6.0's output fields, as its API classes list them. */
const PROBLEM_FIELDS = [
  'eventid',
  'source',
  'object',
  'objectid',
  'clock',
  'ns',
  'r_eventid',
  'r_clock',
  'r_ns',
  'correlationid',
  'userid',
  'name',
  'acknowledged',
  'severity',
  'opdata',
  'suppressed',
  'urls',
];
const EVENT_FIELDS = [
  'eventid',
  'source',
  'object',
  'objectid',
  'acknowledged',
  'clock',
  'ns',
  'name',
  'value',
  'severity',
  'r_eventid',
  'c_eventid',
  'correlationid',
  'userid',
  'suppressed',
  'opdata',
  'urls',
];
const ACK_FIELDS = ['acknowledgeid', 'userid', 'clock', 'message', 'action', 'old_severity', 'new_severity'];
/** `event.get` also joins the updating user's names. */
const EVENT_ACK_FIELDS = [...ACK_FIELDS, 'username', 'name', 'surname'];
const TRIGGER_FIELDS = [
  'triggerid',
  'expression',
  'description',
  'url',
  'status',
  'value',
  'priority',
  'lastchange',
  'comments',
  'error',
  'templateid',
  'type',
  'state',
  'flags',
  'recovery_mode',
  'recovery_expression',
  'correlation_mode',
  'correlation_tag',
  'manual_close',
  'opdata',
  'event_name',
  'uuid',
];
const HOST_FIELDS = ['hostid', 'host', 'name', 'status', 'description', 'proxy_hostid', 'maintenance_status'];
const GROUP_FIELDS = ['groupid', 'name', 'flags', 'internal', 'uuid'];

const COMMON: Rules = {
  countOutput: { type: 'flag' },
  editable: { type: 'bool' },
  preservekeys: { type: 'bool' },
  limit: { type: 'limit' },
  sortorder: { type: 'sortorder' },
  excludeSearch: { type: 'flag' },
  searchByAny: { type: 'bool' },
  searchWildcardsEnabled: { type: 'bool' },
  startSearch: { type: 'flag' },
};

const str = (n: number | string): string => String(n);

function ackRow(state: ZabbixState, a: SimEvent['acknowledges'][number]) {
  const user = state.users.get(a.userid);
  return {
    acknowledgeid: a.acknowledgeid,
    userid: a.userid,
    clock: str(a.clock),
    message: a.message,
    action: str(a.action),
    old_severity: str(a.old_severity),
    new_severity: str(a.new_severity),
    username: user?.username ?? '',
    name: user?.name ?? '',
    surname: user?.surname ?? '',
  };
}

const tagsOf = (e: SimEvent, output: Output) =>
  e.tags.map((t) => pick({ tag: t.tag, value: t.value }, output));

/** Host group, host and severity filters shared by `problem.get` and `event.get`. */
function inScope(state: ZabbixState, e: SimEvent, p: Record<string, unknown>): boolean {
  const hosts = state.hostsOf(e);
  const groupids = p.groupids as string[] | undefined;
  if (groupids && !hosts.some((h) => h.groupids.some((g) => groupids.includes(g)))) return false;
  const hostids = p.hostids as string[] | undefined;
  if (hostids && !hosts.some((h) => hostids.includes(h.hostid))) return false;
  const objectids = p.objectids as string[] | undefined;
  if (objectids && !objectids.includes(e.objectid)) return false;
  const eventids = p.eventids as string[] | undefined;
  if (eventids && !eventids.includes(e.eventid)) return false;
  const severities = p.severities as number[] | undefined;
  if (severities && !severities.includes(e.severity)) return false;
  const source = (p.source as number | undefined) ?? 0;
  const object = (p.object as number | undefined) ?? 0;
  return source === 0 && object === 0;
}

function sortByEventId(rows: SimEvent[], p: Record<string, unknown>): SimEvent[] {
  const desc = ((p.sortorder as string[] | undefined) ?? [])[0] === 'DESC';
  const sorted = [...rows].sort((a, b) => Number(a.eventid) - Number(b.eventid));
  return p.sortfield ? (desc ? sorted.reverse() : sorted) : rows;
}

function limited<T>(rows: T[], p: Record<string, unknown>): T[] {
  return p.limit === undefined ? rows : rows.slice(0, p.limit as number);
}

const problemGet = (state: ZabbixState, params: unknown) => {
  const p = validate(params, {
    ...COMMON,
    eventids: { type: 'ids' },
    groupids: { type: 'ids' },
    hostids: { type: 'ids' },
    objectids: { type: 'ids' },
    source: { type: 'int', in: [0, 3, 4] },
    object: { type: 'int', in: [0, 4, 5, 6] },
    acknowledged: { type: 'bool' },
    suppressed: { type: 'bool' },
    severities: { type: 'ints', in: [0, 1, 2, 3, 4, 5] },
    recent: { type: 'bool' },
    eventid_from: { type: 'string' },
    eventid_till: { type: 'string' },
    time_from: { type: 'int' },
    time_till: { type: 'int' },
    output: { type: 'output', fields: PROBLEM_FIELDS },
    selectAcknowledges: { type: 'output', fields: ACK_FIELDS, count: true },
    selectTags: { type: 'output', fields: ['tag', 'value'] },
    selectSuppressionData: { type: 'output', fields: ['maintenanceid', 'suppress_until'] },
    sortfield: { type: 'sortfield', fields: ['eventid'] },
  });
  const rows = state
    .problemRows(p.recent === true)
    .filter((e) => inScope(state, e, p))
    .filter((e) => p.acknowledged === undefined || e.acknowledged === (p.acknowledged ? 1 : 0))
    .filter((e) => p.time_from === undefined || e.clock >= (p.time_from as number))
    .filter((e) => p.time_till === undefined || e.clock <= (p.time_till as number));
  if (p.countOutput) return String(rows.length);
  return limited(sortByEventId(rows, p), p).map((e) => {
    const recovery = e.r_eventid === null ? undefined : state.events.get(e.r_eventid);
    const row: Record<string, unknown> = pick(
      {
        eventid: e.eventid,
        source: str(e.source),
        object: str(e.object),
        objectid: e.objectid,
        clock: str(e.clock),
        ns: str(e.ns),
        r_eventid: e.r_eventid ?? '0',
        r_clock: str(recovery?.clock ?? 0),
        r_ns: '0',
        correlationid: '0',
        userid: e.userid,
        name: e.name,
        acknowledged: str(e.acknowledged),
        severity: str(e.severity),
        opdata: '',
        suppressed: '0',
        urls: [],
      },
      p.output as Output | undefined,
    );
    if (p.selectTags) row.tags = tagsOf(e, p.selectTags as Output);
    if (p.selectAcknowledges) {
      row.acknowledges =
        p.selectAcknowledges === 'count'
          ? str(e.acknowledges.length)
          : e.acknowledges.map((a) => {
              const { username: _u, name: _n, surname: _s, ...plain } = ackRow(state, a);
              return pick(plain, p.selectAcknowledges as Output);
            });
    }
    if (p.selectSuppressionData) row.suppression_data = [];
    return row;
  });
};

const eventGet = (state: ZabbixState, params: unknown) => {
  const p = validate(params, {
    ...COMMON,
    eventids: { type: 'ids' },
    groupids: { type: 'ids' },
    hostids: { type: 'ids' },
    objectids: { type: 'ids' },
    source: { type: 'int', in: [0, 1, 2, 3, 4] },
    object: { type: 'int', in: [0, 1, 2, 3, 4, 5, 6] },
    value: { type: 'ints' },
    severities: { type: 'ints', in: [0, 1, 2, 3, 4, 5] },
    acknowledged: { type: 'bool' },
    suppressed: { type: 'bool' },
    time_from: { type: 'int' },
    time_till: { type: 'int' },
    eventid_from: { type: 'string' },
    eventid_till: { type: 'string' },
    output: { type: 'output', fields: EVENT_FIELDS },
    selectAcknowledges: { type: 'output', fields: EVENT_ACK_FIELDS, count: true },
    selectTags: { type: 'output', fields: ['tag', 'value'] },
    selectHosts: { type: 'output', fields: HOST_FIELDS },
    sortfield: { type: 'sortfield', fields: ['eventid', 'objectid', 'clock'] },
  });
  const values = (p.value as number[] | undefined) ?? [0, 1];
  const rows = [...state.events.values()]
    .filter((e) => values.includes(e.value))
    .filter((e) => inScope(state, e, p))
    .filter((e) => p.time_from === undefined || e.clock >= (p.time_from as number))
    .filter((e) => p.time_till === undefined || e.clock <= (p.time_till as number));
  if (p.countOutput) return String(rows.length);
  return limited(sortByEventId(rows, p), p).map((e) => {
    const row: Record<string, unknown> = pick(
      {
        eventid: e.eventid,
        source: str(e.source),
        object: str(e.object),
        objectid: e.objectid,
        acknowledged: str(e.acknowledged),
        clock: str(e.clock),
        ns: str(e.ns),
        name: e.name,
        value: str(e.value),
        severity: str(e.severity),
        r_eventid: e.r_eventid ?? '0',
        c_eventid: '0',
        correlationid: '0',
        userid: e.userid,
        suppressed: '0',
        opdata: '',
        urls: [],
      },
      p.output as Output | undefined,
    );
    if (p.selectTags) row.tags = tagsOf(e, p.selectTags as Output);
    if (p.selectAcknowledges) {
      row.acknowledges =
        p.selectAcknowledges === 'count'
          ? str(e.acknowledges.length)
          : e.acknowledges.map((a) => pick(ackRow(state, a), p.selectAcknowledges as Output));
    }
    if (p.selectHosts) {
      row.hosts = state.hostsOf(e).map((h) => pick(hostRow(h), p.selectHosts as Output));
    }
    return row;
  });
};

const hostRow = (h: { hostid: string; host: string; name: string }) => ({
  hostid: h.hostid,
  host: h.host,
  name: h.name,
  status: '0',
  description: '',
  proxy_hostid: '0',
  maintenance_status: '0',
});

const triggerGet = (state: ZabbixState, params: unknown) => {
  const p = validate(params, {
    ...COMMON,
    triggerids: { type: 'ids' },
    hostids: { type: 'ids' },
    groupids: { type: 'ids' },
    expandDescription: { type: 'flag' },
    expandComment: { type: 'flag' },
    expandExpression: { type: 'flag' },
    output: { type: 'output', fields: TRIGGER_FIELDS },
    selectHosts: { type: 'output', fields: HOST_FIELDS, count: true },
    selectTags: { type: 'output', fields: ['tag', 'value'] },
    filter: { type: 'filter', fields: ['triggerid', 'description', 'priority', 'value', 'status'] },
    sortfield: { type: 'sortfield', fields: ['triggerid', 'description', 'status', 'priority'] },
  });
  const triggerids = p.triggerids as string[] | undefined;
  const hostids = p.hostids as string[] | undefined;
  const rows = [...state.triggers.values()]
    .filter((t) => !triggerids || triggerids.includes(t.triggerid))
    .filter((t) => !hostids || t.hostids.some((h) => hostids.includes(h)));
  if (p.countOutput) return String(rows.length);
  return limited(rows, p).map((t) => {
    const row: Record<string, unknown> = pick(
      {
        triggerid: t.triggerid,
        expression: `{${t.triggerid}}=1`,
        description: p.expandDescription ? state.expand(t) : t.description,
        url: '',
        status: '0',
        value: '0',
        priority: str(t.priority),
        lastchange: '0',
        comments: '',
        error: '',
        templateid: '0',
        type: '0',
        state: '0',
        flags: '0',
        recovery_mode: '0',
        recovery_expression: '',
        correlation_mode: '0',
        correlation_tag: '',
        manual_close: t.manualClose ? '1' : '0',
        opdata: '',
        event_name: '',
        uuid: '',
      },
      p.output as Output | undefined,
    );
    if (p.selectHosts) {
      const hosts = t.hostids.flatMap((id) => {
        const h = state.hosts.get(id);
        return h ? [h] : [];
      });
      row.hosts =
        p.selectHosts === 'count'
          ? str(hosts.length)
          : hosts.map((h) => pick(hostRow(h), p.selectHosts as Output));
    }
    if (p.selectTags) row.tags = t.tags.map((x) => pick({ ...x }, p.selectTags as Output));
    return row;
  });
};

const hostGet = (state: ZabbixState, params: unknown) => {
  const p = validate(params, {
    ...COMMON,
    hostids: { type: 'ids' },
    groupids: { type: 'ids' },
    output: { type: 'output', fields: HOST_FIELDS },
    filter: { type: 'filter', fields: ['hostid', 'host', 'name', 'status'] },
    sortfield: { type: 'sortfield', fields: ['hostid', 'host', 'name', 'status'] },
  });
  const filter = (p.filter as Record<string, string[]> | undefined) ?? {};
  const rows = [...state.hosts.values()]
    .filter((h) => !p.hostids || (p.hostids as string[]).includes(h.hostid))
    .filter((h) => !p.groupids || h.groupids.some((g) => (p.groupids as string[]).includes(g)))
    .filter((h) => !filter.host || filter.host.includes(h.host))
    .filter((h) => !filter.name || filter.name.includes(h.name))
    .filter((h) => !filter.hostid || filter.hostid.includes(h.hostid));
  if (p.countOutput) return String(rows.length);
  return limited(rows, p).map((h) => pick(hostRow(h), p.output as Output | undefined));
};

const hostGroupGet = (state: ZabbixState, params: unknown) => {
  const p = validate(params, {
    ...COMMON,
    groupids: { type: 'ids' },
    hostids: { type: 'ids' },
    output: { type: 'output', fields: GROUP_FIELDS },
    filter: { type: 'filter', fields: ['groupid', 'name', 'flags', 'internal'] },
    sortfield: { type: 'sortfield', fields: ['groupid', 'name'] },
  });
  const filter = (p.filter as Record<string, string[]> | undefined) ?? {};
  const rows = [...state.groups.values()]
    .filter((g) => !p.groupids || (p.groupids as string[]).includes(g.groupid))
    .filter((g) => !filter.name || filter.name.includes(g.name))
    .filter((g) => !filter.groupid || filter.groupid.includes(g.groupid));
  if (p.countOutput) return String(rows.length);
  return limited(rows, p).map((g) =>
    pick(
      { groupid: g.groupid, name: g.name, flags: '0', internal: '0', uuid: '' },
      p.output as Output | undefined,
    ),
  );
};

/** `user.login` in 6.0: `username` (5.4+), the deprecated `user` still taken. */
const userLogin = (state: ZabbixState, params: unknown) => {
  const p = validate(params, {
    username: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    userData: { type: 'flag' },
  });
  if (p.username !== undefined && p.user !== undefined) {
    throw invalidParams('Invalid parameter "/": unexpected parameter "user".');
  }
  const name = (p.username ?? p.user) as string | undefined;
  if (name === undefined) throw invalidParams('Invalid parameter "/": the parameter "username" is missing.');
  if (p.password === undefined)
    throw invalidParams('Invalid parameter "/": the parameter "password" is missing.');
  const user = [...state.users.values()].find((u) => u.username === name && u.password === p.password);
  if (!user) throw invalidParams('Incorrect user name or password or account is temporarily blocked.');
  return state.login(user.userid);
};

export type MethodHandler = (
  state: ZabbixState,
  params: unknown,
  auth: { sessionid: string | null },
) => unknown;

/** The methods the simulator answers; anything else is `Method not found.` as on a real server. */
export const METHODS: Readonly<Record<string, MethodHandler>> = {
  'problem.get': problemGet,
  'event.get': eventGet,
  'trigger.get': triggerGet,
  'host.get': hostGet,
  'hostgroup.get': hostGroupGet,
  'user.login': userLogin,
  'user.logout': (state, params, auth) => {
    validate(params, {});
    if (auth.sessionid !== null) state.sessions.delete(auth.sessionid);
    return true;
  },
};

/** Methods called without authentication; passing `auth` to them is an error. */
export const UNAUTHENTICATED = new Set(['apiinfo.version', 'user.login']);

/** Known API names, for "Incorrect API" versus "Incorrect method". */
export const APIS = new Set([
  'action',
  'alert',
  'apiinfo',
  'event',
  'host',
  'hostgroup',
  'item',
  'problem',
  'service',
  'template',
  'token',
  'trigger',
  'user',
  'usergroup',
]);

export { RpcError };
