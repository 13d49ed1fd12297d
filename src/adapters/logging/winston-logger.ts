import winston from 'winston';
import type { Logger } from '../../app/ports.js';

export interface LoggerOptions {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly format: 'json' | 'pretty';
  /** Where lines go; standard output by default. */
  readonly stream?: NodeJS.WritableStream;
}

/** One JSON line per event: a static message plus structured fields. */
export function createLogger(options: LoggerOptions): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp(),
          winston.format.colorize(),
          winston.format.printf(({ timestamp, level, message, ...rest }) => {
            const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
            return `${String(timestamp)} ${level} ${String(message)}${fields}`;
          }),
        );
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  const w = winston.createLogger({ level: options.level, format, transports: [transport] });
  return {
    debug: (m, f) => w.debug(m, f),
    info: (m, f) => w.info(m, f),
    warn: (m, f) => w.warn(m, f),
    error: (m, f) => w.error(m, f),
  };
}

/** Swallows everything: for tests that do not read logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
