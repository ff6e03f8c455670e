import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { ThrottlerException } from '@nestjs/throttler';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/** Shapes every error as `{statusCode, error, message, details?}`; unexpected ones are logged, never leaked. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    const body = this.toBody(exception, request);
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, request: Request): ErrorBody {
    if (exception instanceof ThrottlerException) {
      return { statusCode: 429, error: 'Too Many Requests', message: exception.message };
    }
    if (exception instanceof HttpException) {
      return fromHttpException(exception);
    }
    if (isBodyParserError(exception)) {
      const statusCode = exception.status;
      const message =
        exception.type === 'entity.parse.failed'
          ? 'Malformed JSON in request body'
          : exception.type === 'entity.too.large'
            ? 'Request body is too large (at most 1 MB)'
            : exception.type === 'entity.verify.failed'
              ? exception.message
              : 'Request body could not be read';
      return { statusCode, error: STATUS_CODES[statusCode] ?? 'Bad Request', message };
    }
    // The request id (also in the access log and the X-Request-Id header) ties the answer to the log.
    const requestId = (request as Request & { id?: unknown }).id;
    const correlationId = typeof requestId === 'string' ? requestId : randomUUID();
    this.logger.error(
      `Unhandled error ${correlationId} on ${request.method} ${request.path}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'Internal Server Error',
      message: `Internal server error (correlation id ${correlationId})`,
      details: { correlation_id: correlationId },
    };
  }
}

function fromHttpException(exception: HttpException): ErrorBody {
  const statusCode = exception.getStatus();
  const error = STATUS_CODES[statusCode] ?? 'Error';
  const raw = exception.getResponse();
  if (typeof raw === 'string') return { statusCode, error, message: raw };
  const obj = raw as { message?: unknown; details?: unknown };
  const message = Array.isArray(obj.message)
    ? obj.message.join('; ')
    : typeof obj.message === 'string'
      ? obj.message
      : exception.message;
  return obj.details === undefined
    ? { statusCode, error, message }
    : { statusCode, error, message, details: obj.details };
}

interface BodyParserError {
  status: number;
  type: string;
  message: string;
}

function isBodyParserError(value: unknown): value is BodyParserError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BodyParserError).status === 'number' &&
    typeof (value as BodyParserError).type === 'string' &&
    (value as BodyParserError).status >= 400 &&
    (value as BodyParserError).status < 500
  );
}
