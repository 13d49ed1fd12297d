import type { ZabbixPayload } from '../sources/zabbix-payload.js';
import type { ZabbixAcknowledge, ZabbixProblem, ZabbixTrigger } from './zabbix-api-schemas.js';

const ACTION_ACKNOWLEDGE = 2;

const isoOf = (clock: string): string => new Date(Number(clock) * 1000).toISOString();

/** `{USER.FULLNAME}`: "Name Surname (username)", or the username alone when both names are empty. */
function fullName(a: ZabbixAcknowledge): string | undefined {
  if (a.username === '') return undefined;
  const name = `${a.name} ${a.surname}`.trim();
  return name === '' ? a.username : `${name} (${a.username})`;
}

export interface ProblemFacts {
  readonly problem: ZabbixProblem;
  readonly trigger: ZabbixTrigger;
  /** The problem's updates, newest first (`event.get` `selectAcknowledges`), when it is acknowledged. */
  readonly acknowledges: readonly ZabbixAcknowledge[];
  /** The frontend's base URL (`{$ZABBIX.URL}`), for the link to the problem. */
  readonly frontendUrl: string;
}

/**
 * The body the shipped media type (integrations/zabbix) would have posted for this problem, built from
 * what the API says: `problem` for the problem webhook, `recovery` for its recovery. The webhook
 * mapper reads it, so an event caught up from the API is the event its webhook would have made
 * (same id, labels, start, severity and title); only the media type's subject and message are missing.
 */
export function problemPayload(facts: ProblemFacts, kind: 'problem' | 'recovery'): ZabbixPayload {
  const { problem, trigger } = facts;
  const host = trigger.hosts[0];
  const recovered = kind === 'recovery';
  const ack = facts.acknowledges.find((a) => (Number(a.action) & ACTION_ACKNOWLEDGE) !== 0);
  const acknowledged = problem.acknowledged === '1';
  return {
    event_id: problem.eventid,
    event_value: recovered ? 0 : 1,
    event_update_status: 0,
    event_status: recovered ? 'RESOLVED' : 'PROBLEM',
    event_name: problem.name,
    recovery_event_id: recovered ? problem.r_eventid : undefined,
    trigger_id: trigger.triggerid,
    trigger_name: trigger.description,
    host: host?.host,
    host_name: host?.name,
    severity: { name: undefined, number: Number(problem.severity) },
    event_tags: problem.tags.map((t) => ({ tag: t.tag, value: t.value })),
    event_time: isoOf(problem.clock),
    recovery_time: recovered ? isoOf(problem.r_clock) : undefined,
    event_ack: acknowledged,
    update:
      acknowledged && ack !== undefined
        ? {
            action: undefined,
            message: ack.message || undefined,
            user: fullName(ack),
            time: isoOf(ack.clock),
          }
        : undefined,
    subject: undefined,
    message: undefined,
    send_to: undefined,
    event_url: `${facts.frontendUrl}/tr_events.php?triggerid=${trigger.triggerid}&eventid=${problem.eventid}`,
  };
}
