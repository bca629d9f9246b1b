/** pino, configured once from settings: JSON by default, readable on a terminal. */
import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Settings } from './settings';

export type { Logger };

export function createLogger(
  settings: Pick<Settings, 'WINTAP_NOISE_LOG_LEVEL' | 'WINTAP_NOISE_LOG_FORMAT'>,
  name = 'wintap-noise',
): Logger {
  const format = settings.WINTAP_NOISE_LOG_FORMAT;
  const pretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  const options: pino.LoggerOptions = { name, level: settings.WINTAP_NOISE_LOG_LEVEL };
  if (pretty) {
    // pino-pretty as a synchronous stream (not a worker-thread transport): fewer moving parts in a CLI.
    return pino(options, pinoPretty({ destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination(2));
}

/**
 * The logger of a CLI command: a user wants progress lines, not the worker's JSON log, so only
 * `quietLevel` and above unless WINTAP_NOISE_LOG_LEVEL asks for more.
 */
export function createCliLogger(settings: Settings, quietLevel: 'warn' | 'error' = 'warn'): Logger {
  return createLogger(process.env.WINTAP_NOISE_LOG_LEVEL ? settings : { ...settings, WINTAP_NOISE_LOG_LEVEL: quietLevel });
}
