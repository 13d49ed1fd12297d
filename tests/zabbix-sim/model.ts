/** The simulator's tables, as Zabbix 6.0 keeps them (ids are strings of digits, times Unix seconds). */

export interface SimTag {
  tag: string;
  value: string;
}

export interface SimHostGroup {
  groupid: string;
  name: string;
}

export interface SimHost {
  hostid: string;
  /** Technical name, `{HOST.HOST}`. */
  host: string;
  /** Visible name, `{HOST.NAME}`. */
  name: string;
  groupids: string[];
  tags: SimTag[];
}

export interface SimTrigger {
  triggerid: string;
  /** The trigger's name; may hold `{HOST.NAME}` or `{HOST.HOST}`, expanded in event names. */
  description: string;
  /** 0 not classified … 5 disaster. */
  priority: number;
  hostids: string[];
  tags: SimTag[];
  manualClose: boolean;
}

export interface SimAcknowledge {
  acknowledgeid: string;
  userid: string;
  eventid: string;
  clock: number;
  message: string;
  /** Bit mask: 1 close, 2 acknowledge, 4 message, 8 severity, 16 unacknowledge. */
  action: number;
  old_severity: number;
  new_severity: number;
}

/** A trigger event: a problem (value 1) or a recovery (value 0). */
export interface SimEvent {
  eventid: string;
  source: 0;
  object: 0;
  objectid: string;
  clock: number;
  ns: number;
  value: 0 | 1;
  name: string;
  /** Current severity (a problem's may be changed by an update). */
  severity: number;
  acknowledged: 0 | 1;
  tags: SimTag[];
  acknowledges: SimAcknowledge[];
  /** Problems: the recovery event, once there is one. */
  r_eventid: string | null;
  /** Problems closed by hand: who closed it. */
  userid: string;
}

export interface SimUser {
  userid: string;
  username: string;
  password: string;
  name: string;
  surname: string;
}

export interface SimToken {
  token: string;
  userid: string;
  /** Unix seconds; 0: never. */
  expiresAt: number;
}
