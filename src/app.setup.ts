import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HttpExceptionFilter } from './common/http-exception.filter';
import type { Env } from './config/env.validation';
import { parseTrustProxy } from './config/trust-proxy';
import { createValidationPipe } from './common/validation';
import { refuseHostileValues, verifyJsonBody } from './common/hostile-json';

/** Everything main.ts and the e2e tests both apply to the HTTP app, so tests run what users run. */
export function configureApp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  // Whose X-Forwarded-For names the client (req.ip): the rate limits and the audit log go by it.
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  express.set('trust proxy', parseTrustProxy(config.get('TRUST_PROXY', { infer: true })));
  // Bad bytes, deep nesting, prototype keys and out-of-range numbers are refused with a 400 that names
  // them, before any handler runs (so nothing is stored).
  express.useBodyParser('json', { limit: '1mb', verify: verifyJsonBody });
  express.use(refuseHostileValues);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Homa')
      .setDescription(
        'Helpdesk tickets whose events are delivered as signed, retried, logged webhooks.',
      )
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description: 'A JWT from /api/auth/login or a homa_ API key',
      })
      .build(),
  );
  express.use(frameProtectedDocs);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/** Swagger UI may not be framed by another site (clickjacking), as the console may not. */
const DOCS_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function frameProtectedDocs(req: Request, res: Response, next: NextFunction): void {
  if (req.path === '/docs' || req.path.startsWith('/docs/') || req.path === '/docs-json')
    res.set(DOCS_HEADERS);
  next();
}
