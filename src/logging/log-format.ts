import pino from 'pino';
import type { Env } from '../config/env.validation';

/** Nest's log levels as pino's. */
export const PINO_LEVELS: Record<Env['LOG_LEVEL'], string> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** JSON when stdout is not a terminal (production, CI), human-readable on one; LOG_FORMAT decides when set. */
export function usePrettyLogs(
  format: Env['LOG_FORMAT'],
  isTty = Boolean(process.stdout.isTTY),
): boolean {
  return format ? format === 'pretty' : isTty;
}

/**
 * Where log lines go: JSON lines as they are (undefined: pino's own stdout stream), or through
 * pino-pretty, coloured only on a terminal. `fd` 2 sends them to stderr (the CLI's: its stdout is
 * the command's output).
 */
export function logStream(pretty: boolean, fd: 1 | 2 = 1): pino.DestinationStream | undefined {
  if (!pretty) return fd === 1 ? undefined : pino.destination({ dest: fd, sync: true });
  // Required here: a process that logs JSON (in production) never loads the pretty printer.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PinoPretty = require('pino-pretty') as typeof import('pino-pretty');
  return PinoPretty({
    colorize: Boolean((fd === 1 ? process.stdout : process.stderr).isTTY),
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    sync: true,
    destination: fd,
  });
}
