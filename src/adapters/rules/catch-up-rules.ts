import { z } from 'zod';

/** `rules/catchup.yml`: which alerts the bridge asks the senders' APIs about when it catches up. */

/** Zabbix's severities, by the number its API uses (0 … 5). */
export const ZABBIX_SEVERITY_NAMES = [
  'not_classified',
  'information',
  'warning',
  'average',
  'high',
  'disaster',
] as const;

export const catchUpFileSchema = z.strictObject({
  zabbix: z
    .strictObject({
      host_groups: z.array(z.string().min(1)).optional(),
      hosts: z.array(z.string().min(1)).optional(),
      severities: z.array(z.enum(ZABBIX_SEVERITY_NAMES)).min(1).optional(),
    })
    .optional(),
  alertmanager: z
    .strictObject({
      receivers: z.array(z.string().min(1)).optional(),
    })
    .optional(),
});

export interface CatchUpRules {
  readonly zabbix: {
    /** Host group names; empty: every group the API user may read. */
    readonly hostGroups: readonly string[];
    /** Technical host names; empty: every host of those groups. */
    readonly hosts: readonly string[];
    /** Zabbix severity numbers. */
    readonly severities: readonly number[];
  };
  readonly alertmanager: {
    /** Receiver names; empty: every alert. */
    readonly receivers: readonly string[];
  };
}

export function toCatchUpRules(file: z.infer<typeof catchUpFileSchema>): CatchUpRules {
  const severities = file.zabbix?.severities ?? ZABBIX_SEVERITY_NAMES;
  return {
    zabbix: {
      hostGroups: file.zabbix?.host_groups ?? [],
      hosts: file.zabbix?.hosts ?? [],
      severities: [...new Set(severities)].map((s) => ZABBIX_SEVERITY_NAMES.indexOf(s)).sort((a, b) => a - b),
    },
    alertmanager: { receivers: file.alertmanager?.receivers ?? [] },
  };
}
