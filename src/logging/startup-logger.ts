import type { LoggerService } from '@nestjs/common';
import type pino from 'pino';
import { isExpectedError } from '../common/expected-error';
import type { Env } from '../config/env.validation';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** pino's level values, and Nest's levels as pino's (as log-format.ts has them, without loading pino). */
const LEVEL_VALUES: Record<Level, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
const NEST_LEVELS: Record<Env['LOG_LEVEL'], Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest's logger before the app's own (nestjs-pino) takes over, and the CLI's: the same lines in the
 * same `LOG_FORMAT` (JSON, or pino-pretty on a terminal), read from the raw environment because the
 * configuration may be what failed. A start-up that fails is logged here as one line: an expected
 * error (a bad setting, an unknown database) with its fields and no stack trace; anything else with
 * its stack, under `err`. pino is loaded at the first line written: a CLI command that logs nothing
 * never loads it.
 */
export class StartupLogger implements LoggerService {
  private logger: pino.Logger | null = null;
  private readonly level: Level;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** `stderr`: the CLI's (its stdout is the command's output); `floor`: log nothing below it. */
    private readonly options: { stderr?: boolean; floor?: Env['LOG_LEVEL'] } = {},
  ) {
    const asked = NEST_LEVELS[env.LOG_LEVEL as Env['LOG_LEVEL']] ?? 'info';
    const floor = options.floor ? NEST_LEVELS[options.floor] : asked;
    this.level = LEVEL_VALUES[asked] >= LEVEL_VALUES[floor] ? asked : floor;
  }

  private get pino(): pino.Logger {
    if (this.logger) return this.logger;
    /* eslint-disable @typescript-eslint/no-require-imports */
    const pinoFactory = require('pino') as typeof import('pino');
    const { logStream, usePrettyLogs } = require('./log-format') as typeof import('./log-format');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const { LOG_FORMAT } = this.env;
    const format = LOG_FORMAT === 'json' || LOG_FORMAT === 'pretty' ? LOG_FORMAT : undefined;
    const fd = this.options.stderr ? 2 : 1;
    const tty = Boolean((fd === 1 ? process.stdout : process.stderr).isTTY);
    const stream =
      logStream(usePrettyLogs(format, tty), fd) ?? pinoFactory.destination({ dest: 1, sync: true });
    this.logger = pinoFactory({ level: this.level }, stream);
    return this.logger;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest calls `(message, context)`, or `(message, stack, context)` for errors. */
  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (LEVEL_VALUES[level] < LEVEL_VALUES[this.level]) return;
    const params = [...rest];
    const context =
      params.length > 0 && typeof params.at(-1) === 'string' ? params.pop() : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (isExpectedError(message)) {
      return this.pino[level]({ ...fields, ...message.fields }, message.message);
    }
    if (message instanceof Error)
      return this.pino[level]({ ...fields, err: message }, message.message);
    const stack = params.find((p): p is string => typeof p === 'string' && p.includes('\n    at '));
    if (stack) fields.err = { stack };
    if (typeof message === 'object' && message !== null)
      return this.pino[level]({ ...fields, ...(message as Record<string, unknown>) });
    this.pino[level](fields, String(message));
  }
}
