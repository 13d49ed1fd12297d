import { z } from 'zod';
import type { SenderReader } from '../../app/catch-up-ports.js';
import type { Logger } from '../../app/ports.js';
import type { EndedAlert, SenderView } from '../../domain/catch-up-plan.js';
import type { AlertEvent, AlertState } from '../../domain/model.js';
import type { CatchUpRules } from '../rules/catch-up-rules.js';
import { mapZabbix } from '../sources/zabbix-mapper.js';
import type { ZabbixApi } from './zabbix-api.js';
import {
  eventSchema,
  hostGroupSchema,
  hostSchema,
  problemSchema,
  triggerSchema,
  type ZabbixAcknowledge,
  type ZabbixProblem,
  type ZabbixTrigger,
} from './zabbix-api-schemas.js';
import { problemPayload } from './zabbix-problem-payload.js';

export interface ZabbixCatchUpOptions {
  readonly api: ZabbixApi;
  /** The frontend's base URL, for links to problems. */
  readonly frontendUrl: string;
  readonly rules: CatchUpRules['zabbix'];
  readonly logger: Logger;
}

/** Ids per request: keeps each SQL `IN (...)` of the server reasonable. */
const IDS_PER_CALL = 500;
const ALL_SEVERITIES = [0, 1, 2, 3, 4, 5];
const EVENT_PREFIX = 'zabbix:';

const chunks = <T>(list: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let at = 0; at < list.length; at += IDS_PER_CALL) out.push(list.slice(at, at + IDS_PER_CALL));
  return out;
};

const isoOf = (clock: string): string => new Date(Number(clock) * 1000).toISOString();

/** The `problem.get` filters the rules ask for; null when they name nothing that exists. */
type Scope = { groupids?: string[]; hostids?: string[]; severities?: number[] } | null;

/**
 * What Zabbix says about the problems the bridge handles, read through its JSON-RPC API:
 *
 * - `problem.get` (`recent`, `selectTags`), within the rules' host groups, hosts and severities: open
 *   problems, and problems recovered within Zabbix's "Display OK triggers for" period with their
 *   recovery (`r_eventid`, `r_clock`);
 * - `trigger.get` (`expandDescription`, `selectHosts`): trigger names and hosts, as the webhook's
 *   `{TRIGGER.NAME}` and `{HOST.HOST}`/`{HOST.NAME}` give them;
 * - `event.get` (`selectAcknowledges`): who acknowledged a problem, as the update webhook tells it;
 * - `event.get` on the problems the bridge holds as firing that `problem.get` no longer lists: their
 *   `r_eventid`, then the recovery events' time. A problem Zabbix no longer knows at all (deleted with
 *   its trigger, or out of the API user's rights) is left as it is: only a recovery resolves.
 */
export class ZabbixCatchUp implements SenderReader {
  readonly source = 'zabbix' as const;

  constructor(private readonly options: ZabbixCatchUpOptions) {}

  async read(firing: readonly AlertState[], signal: AbortSignal): Promise<SenderView> {
    const scope = await this.scope(signal);
    const problems = scope === null ? [] : await this.problems(scope, signal);
    const triggers = await this.triggers(problems, signal);
    const acknowledges = await this.acknowledges(problems, signal);

    const view: { firing: AlertEvent[]; ended: EndedAlert[] } = { firing: [], ended: [] };
    for (const problem of problems) {
      const trigger = triggers.get(problem.objectid);
      if (trigger === undefined) continue; // the trigger is gone: no webhook would name it either
      const facts = {
        problem,
        trigger,
        acknowledges: acknowledges.get(problem.eventid) ?? [],
        frontendUrl: this.options.frontendUrl,
      };
      const opened = mapZabbix(problemPayload(facts, 'problem'));
      if (problem.r_eventid === '0') {
        view.firing.push(opened);
      } else {
        const recovered = mapZabbix(problemPayload(facts, 'recovery'));
        view.ended.push({ id: opened.id, endsAt: isoOf(problem.r_clock), story: [opened, recovered] });
      }
    }

    const listed = new Set(problems.map((p) => `${EVENT_PREFIX}${p.eventid}`));
    const unlisted = firing
      .filter((a) => a.source === 'zabbix' && a.id.startsWith(EVENT_PREFIX) && !listed.has(a.id))
      .map((a) => a.id.slice(EVENT_PREFIX.length))
      .filter((id) => /^\d+$/.test(id));
    view.ended.push(...(await this.recoveries(unlisted, signal)));
    return view;
  }

  private call<T>(
    method: string,
    params: Record<string, unknown>,
    schema: z.ZodType<T>,
    signal: AbortSignal,
  ) {
    return this.options.api.call(method, params, schema, signal);
  }

  private async scope(signal: AbortSignal): Promise<Scope> {
    const { hostGroups, hosts, severities } = this.options.rules;
    const scope: NonNullable<Scope> = {};
    if (hostGroups.length > 0) {
      const groups = await this.call(
        'hostgroup.get',
        { output: ['groupid', 'name'], filter: { name: hostGroups } },
        z.array(hostGroupSchema),
        signal,
      );
      this.warnMissing('host groups', hostGroups, new Set(groups.map((g) => g.name)));
      if (groups.length === 0) return null;
      scope.groupids = groups.map((g) => g.groupid);
    }
    if (hosts.length > 0) {
      const found = await this.call(
        'host.get',
        { output: ['hostid', 'host'], filter: { host: hosts } },
        z.array(hostSchema),
        signal,
      );
      this.warnMissing('hosts', hosts, new Set(found.map((h) => h.host)));
      if (found.length === 0) return null;
      scope.hostids = found.map((h) => h.hostid);
    }
    if (severities.length < ALL_SEVERITIES.length) scope.severities = [...severities];
    return scope;
  }

  private warnMissing(what: string, wanted: readonly string[], found: ReadonlySet<string>): void {
    const missing = wanted.filter((w) => !found.has(w));
    if (missing.length > 0) {
      this.options.logger.warn('zabbix catch-up: rules name what Zabbix does not have', { what, missing });
    }
  }

  private problems(scope: NonNullable<Scope>, signal: AbortSignal): Promise<ZabbixProblem[]> {
    return this.call(
      'problem.get',
      {
        output: ['eventid', 'objectid', 'clock', 'name', 'severity', 'acknowledged', 'r_eventid', 'r_clock'],
        source: 0,
        object: 0,
        recent: true,
        selectTags: ['tag', 'value'],
        sortfield: ['eventid'],
        sortorder: 'ASC',
        ...scope,
      },
      z.array(problemSchema),
      signal,
    );
  }

  private async triggers(problems: readonly ZabbixProblem[], signal: AbortSignal) {
    const byId = new Map<string, ZabbixTrigger>();
    const ids = [...new Set(problems.map((p) => p.objectid))];
    for (const triggerids of chunks(ids)) {
      const triggers = await this.call(
        'trigger.get',
        {
          triggerids,
          output: ['triggerid', 'description'],
          selectHosts: ['hostid', 'host', 'name'],
          expandDescription: true,
        },
        z.array(triggerSchema),
        signal,
      );
      for (const t of triggers) byId.set(t.triggerid, t);
    }
    return byId;
  }

  /** Who acknowledged: `problem.get` gives only user ids, `event.get` also the names. */
  private async acknowledges(problems: readonly ZabbixProblem[], signal: AbortSignal) {
    const byEvent = new Map<string, ZabbixAcknowledge[]>();
    const ids = problems.filter((p) => p.acknowledged === '1').map((p) => p.eventid);
    for (const eventids of chunks(ids)) {
      const events = await this.call(
        'event.get',
        {
          eventids,
          output: ['eventid'],
          selectAcknowledges: ['clock', 'message', 'action', 'username', 'name', 'surname'],
        },
        z.array(z.object({ eventid: z.string(), acknowledges: problemSchema.shape.acknowledges })),
        signal,
      );
      for (const e of events) byEvent.set(e.eventid, e.acknowledges);
    }
    return byEvent;
  }

  /** The recoveries of problems `problem.get` no longer lists (recovered before the "recent" period). */
  private async recoveries(eventids: readonly string[], signal: AbortSignal): Promise<EndedAlert[]> {
    const recoveryOf = new Map<string, string>();
    let known = 0;
    for (const ids of chunks(eventids)) {
      const events = await this.call(
        'event.get',
        { eventids: ids, source: 0, object: 0, value: 1, output: ['eventid', 'clock', 'r_eventid'] },
        z.array(eventSchema),
        signal,
      );
      known += events.length;
      for (const e of events) if (e.r_eventid !== '0') recoveryOf.set(e.eventid, e.r_eventid);
    }
    if (known < eventids.length) {
      this.options.logger.info('zabbix catch-up: problems zabbix no longer knows are left as they are', {
        count: eventids.length - known,
      });
    }
    const clockOf = new Map<string, string>();
    for (const ids of chunks([...recoveryOf.values()])) {
      const events = await this.call(
        'event.get',
        { eventids: ids, source: 0, object: 0, value: 0, output: ['eventid', 'clock'] },
        z.array(eventSchema),
        signal,
      );
      for (const e of events) clockOf.set(e.eventid, e.clock);
    }
    const ended: EndedAlert[] = [];
    for (const [problemId, recoveryId] of recoveryOf) {
      const clock = clockOf.get(recoveryId);
      if (clock !== undefined) ended.push({ id: `${EVENT_PREFIX}${problemId}`, endsAt: isoOf(clock) });
    }
    return ended;
  }
}
