import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import { Env } from '../config/env.validation';
import { logStream, PINO_LEVELS, usePrettyLogs } from './log-format';

export { usePrettyLogs } from './log-format';

/** Headers and fields whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-ticket-secret"]',
  'res.headers["set-cookie"]',
  '*.secret',
  '*.password',
  '*.access_token',
  '*.key',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A request id from a trusted `X-Request-Id`, or a new one; echoed back on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The levels at which pino-http's access lines (written at `info`) can appear. */
const ACCESS_LOG_LEVELS = new Set<Env['LOG_LEVEL']>(['log', 'debug', 'verbose']);

function httpLoggerOptions(config: ConfigService<Env, true>) {
  const level = config.get('LOG_LEVEL', { infer: true });
  return {
    level: PINO_LEVELS[level],
    genReqId: requestId,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // One access line per request, at `info`. Above that level no line could be written, so none is
    // prepared (its response listeners and log arguments: ~1–2 % of the main thread per ticket).
    autoLogging: ACCESS_LOG_LEVELS.has(level) && {
      ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics',
    },
    // The request is logged as its id, method and URL, read off the raw request: pino-http's default
    // wrapping first copies every header and the socket's address into an object that this drops.
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: stdSerializers.res,
      err: stdSerializers.err,
    },
  };
}

/** Structured logs (pino), one line per request with its id, secrets redacted; pretty on a terminal. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const options = httpLoggerOptions(config);
        const pretty = logStream(usePrettyLogs(config.get('LOG_FORMAT', { infer: true })));
        return { pinoHttp: pretty ? [options, pretty] : options };
      },
    }),
  ],
})
export class LoggingModule {}
