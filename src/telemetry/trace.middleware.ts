import type { NextFunction, Request, Response } from 'express';
import { parseTraceparent } from './trace-context';
import { inTrace } from './trace-scope';
import { tracing } from './tracing';

/**
 * Runs the rest of every API request in its trace: the caller's, when it sent a valid W3C
 * `traceparent`, else a new one. The request's span is the parent of the events it records. A
 * middleware, as the audit context is, rather than an interceptor (no RxJS chain per request).
 */
export function traceRequests(request: Request, response: Response, next: NextFunction): void {
  const span = tracing.start(request.method, parseTraceparent(request.headers.traceparent), {
    kind: 'server',
    attributes: {
      'http.request.method': request.method,
      'url.path': request.originalUrl.split('?')[0],
    },
  });
  if (tracing.exporting) {
    response.once('close', () => {
      const route = (request.route as { path?: string } | undefined)?.path;
      span.end({
        name: route ? `${request.method} ${request.baseUrl}${route}` : undefined,
        attributes: { 'http.response.status_code': response.statusCode, 'http.route': route },
        error: response.statusCode >= 500 ? `HTTP ${response.statusCode}` : undefined,
      });
    });
  }
  inTrace(span.context, next);
}
