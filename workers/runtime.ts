/**
 * The Temporal Runtime, installed once per process with pino as its logger, so the SDK's own logs and
 * the Rust core's logs (forwarded) arrive in the same JSON stream as ours.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const PINO_METHOD: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

export function installRuntime(log: Logger): void {
  if (installed) return;
  installed = true;
  const temporalLog = log.child({ component: 'temporal' });
  const level =
    (log.level === 'silent' ? 'ERROR' : (log.level.toUpperCase() as LogLevel)) in PINO_METHOD
      ? (log.level.toUpperCase() as LogLevel)
      : 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      temporalLog[PINO_METHOD[entry.level]]({ ...entry.meta }, entry.message);
    }),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}
