import type { EffectSink, Logger } from './ports.js';

/** Logs each effect as one line; later sinks (tracker, notifications) sit beside it. */
export function loggingEffectSink(logger: Logger): EffectSink {
  return {
    async publish(effects) {
      for (const e of effects) {
        const { type, ...fields } = e;
        logger.info(type.replace('-', ' '), fields);
      }
    },
  };
}

export const silentEffectSink: EffectSink = { publish: async () => undefined };
