import { z } from 'zod';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const port = z.coerce.number().int().min(0).max(65535);
const bytes = z
  .string()
  .regex(/^\d+\s*(b|kb|kib|mb|mib)?$/i, 'expected a size such as 1048576, 512kb or 1mib')
  .transform((v) => {
    const m = /^(\d+)\s*([a-z]*)$/i.exec(v.trim());
    const n = Number(m?.[1] ?? 0);
    const unit = (m?.[2] ?? '').toLowerCase();
    const factor = unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1;
    return n * factor;
  });

/** The environment the bridge reads, parsed once at start. Unknown variables are other programs' business. */
export const configSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  RULES_DIR: z.string().min(1).default('./rules'),
  WEBHOOK_TOKEN: optionalSecret,
  API_TOKEN: optionalSecret,
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  MAX_BODY_BYTES: bytes.default(1024 * 1024),
  /** Take an embedded-mode snapshot once the journal segment has grown this big. */
  SNAPSHOT_AFTER_BYTES: bytes.default(64 * 1024 * 1024),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value stops the start with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
}

const SECRETS: readonly (keyof Config)[] = ['WEBHOOK_TOKEN', 'API_TOKEN'];

/** The configuration as it may be logged: secrets show as `<secret>`. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const k of SECRETS) if (out[k] !== undefined) out[k] = '<secret>';
  return out;
}
