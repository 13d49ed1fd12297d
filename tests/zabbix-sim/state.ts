import { randomBytes } from 'node:crypto';
import type {
  SimAcknowledge,
  SimEvent,
  SimHost,
  SimHostGroup,
  SimTag,
  SimToken,
  SimTrigger,
  SimUser,
} from './model.js';

export const SEVERITY_NAMES = ['Not classified', 'Information', 'Warning', 'Average', 'High', 'Disaster'];

/** The user Zabbix ships with, as `user.login` and `{USER.FULLNAME}` know it. */
export const ADMIN: SimUser = {
  userid: '1',
  username: 'Admin',
  password: 'zabbix',
  name: 'Zabbix',
  surname: 'Administrator',
};

/** Zabbix 6.0's in-memory double: host groups, hosts, triggers, events, users, sessions and API tokens. */
export class ZabbixState {
  readonly groups = new Map<string, SimHostGroup>();
  readonly hosts = new Map<string, SimHost>();
  readonly triggers = new Map<string, SimTrigger>();
  readonly events = new Map<string, SimEvent>();
  readonly users = new Map<string, SimUser>([[ADMIN.userid, ADMIN]]);
  readonly sessions = new Map<string, string>();
  readonly tokens = new Map<string, SimToken>();
  /** "Display OK triggers for" (Administration → General → Trigger displaying options): 5 m by default. */
  okPeriodSeconds = 300;
  private lastId = { group: 100, host: 10500, trigger: 23000, event: 50, ack: 0, user: 1 };

  constructor(private readonly now: () => number) {}

  /** Unix seconds. */
  clock(): number {
    return Math.floor(this.now() / 1000);
  }

  addHostGroup(name: string): SimHostGroup {
    const g = { groupid: String(++this.lastId.group), name };
    this.groups.set(g.groupid, g);
    return g;
  }

  addHost(host: string, options: { name?: string; groups: string[]; tags?: SimTag[] }): SimHost {
    const groupids = options.groups.map((name) => {
      const found = [...this.groups.values()].find((g) => g.name === name) ?? this.addHostGroup(name);
      return found.groupid;
    });
    const h = {
      hostid: String(++this.lastId.host),
      host,
      name: options.name ?? host,
      groupids,
      tags: options.tags ?? [],
    };
    this.hosts.set(h.hostid, h);
    return h;
  }

  addTrigger(
    host: string,
    description: string,
    options: { priority: number; tags?: SimTag[]; manualClose?: boolean },
  ): SimTrigger {
    const h = this.hostByName(host);
    const t = {
      triggerid: String(++this.lastId.trigger),
      description,
      priority: options.priority,
      hostids: [h.hostid],
      tags: options.tags ?? [],
      manualClose: options.manualClose ?? true,
    };
    this.triggers.set(t.triggerid, t);
    return t;
  }

  addUser(user: Omit<SimUser, 'userid'>): SimUser {
    const u = { ...user, userid: String(++this.lastId.user) };
    this.users.set(u.userid, u);
    return u;
  }

  /** An API token of `userid` (Users → API tokens), 64 hex characters as Zabbix makes them. */
  addToken(userid: string, expiresAt = 0): string {
    const token = randomBytes(32).toString('hex');
    this.tokens.set(token, { token, userid, expiresAt });
    return token;
  }

  hostByName(host: string): SimHost {
    const h = [...this.hosts.values()].find((x) => x.host === host);
    if (!h) throw new Error(`no host ${host}`);
    return h;
  }

  /** `{HOST.NAME}`, `{HOST.HOST}` of the trigger's first host, as in event names and `expandDescription`. */
  expand(trigger: SimTrigger): string {
    const host = this.hosts.get(trigger.hostids[0] ?? '');
    return trigger.description
      .replaceAll('{HOST.NAME}', host?.name ?? '*UNKNOWN*')
      .replaceAll('{HOST.HOST}', host?.host ?? '*UNKNOWN*');
  }

  /** The trigger fires: a problem event with the trigger's tags, then its hosts' tags. */
  fire(triggerid: string, at = this.clock()): SimEvent {
    const t = this.triggers.get(triggerid);
    if (!t) throw new Error(`no trigger ${triggerid}`);
    const hostTags = t.hostids.flatMap((id) => this.hosts.get(id)?.tags ?? []);
    const e: SimEvent = {
      eventid: String(++this.lastId.event),
      source: 0,
      object: 0,
      objectid: triggerid,
      clock: at,
      ns: 0,
      value: 1,
      name: this.expand(t),
      severity: t.priority,
      acknowledged: 0,
      tags: [...t.tags, ...hostTags].map((x) => ({ ...x })),
      acknowledges: [],
      r_eventid: null,
      userid: '0',
    };
    this.events.set(e.eventid, e);
    return e;
  }

  /** The problem recovers (the trigger's expression is OK again, or a user closed it). */
  recover(eventid: string, at = this.clock(), closedBy = '0'): SimEvent {
    const p = this.problem(eventid);
    if (p.r_eventid !== null) throw new Error(`problem ${eventid} has already recovered`);
    const r: SimEvent = {
      ...p,
      eventid: String(++this.lastId.event),
      clock: at,
      value: 0,
      acknowledged: 0,
      acknowledges: [],
      r_eventid: null,
      userid: closedBy,
    };
    this.events.set(r.eventid, r);
    p.r_eventid = r.eventid;
    p.userid = closedBy;
    return r;
  }

  /** A user updates the problem (Problems → Update): acknowledge, message, severity, close. */
  update(
    eventid: string,
    change: { userid?: string; acknowledge?: boolean; message?: string; severity?: number; close?: boolean },
    at = this.clock(),
  ): SimAcknowledge {
    const p = this.problem(eventid);
    const action =
      (change.close ? 1 : 0) |
      (change.acknowledge ? 2 : 0) |
      (change.message !== undefined ? 4 : 0) |
      (change.severity !== undefined ? 8 : 0);
    const ack: SimAcknowledge = {
      acknowledgeid: String(++this.lastId.ack),
      userid: change.userid ?? ADMIN.userid,
      eventid,
      clock: at,
      message: change.message ?? '',
      action,
      old_severity: p.severity,
      new_severity: change.severity ?? p.severity,
    };
    p.acknowledges.unshift(ack);
    if (change.acknowledge) p.acknowledged = 1;
    if (change.severity !== undefined) p.severity = change.severity;
    if (change.close) this.recover(eventid, at, ack.userid);
    return ack;
  }

  problem(eventid: string): SimEvent {
    const p = this.events.get(eventid);
    if (p?.value !== 1) throw new Error(`no problem event ${eventid}`);
    return p;
  }

  /** Rows of the `problem` table: open problems and recovered ones whose rows the housekeeper has not taken yet. */
  problemRows(recent: boolean): SimEvent[] {
    const okFrom = this.clock() - this.okPeriodSeconds;
    return [...this.events.values()].filter((e) => {
      if (e.value !== 1) return false;
      if (e.r_eventid === null) return true;
      return recent && (this.events.get(e.r_eventid)?.clock ?? 0) > okFrom;
    });
  }

  /** The hosts of a trigger's event, for group and host filters. */
  hostsOf(e: SimEvent): SimHost[] {
    return (this.triggers.get(e.objectid)?.hostids ?? []).flatMap((id) => {
      const h = this.hosts.get(id);
      return h ? [h] : [];
    });
  }

  /** `user.login`: a new session id (32 hex characters). */
  login(userid: string): string {
    const sessionid = randomBytes(16).toString('hex');
    this.sessions.set(sessionid, userid);
    return sessionid;
  }

  /** The server forgets every session (auto-logout, a restart of the frontend's session table). */
  dropSessions(): void {
    this.sessions.clear();
  }
}
