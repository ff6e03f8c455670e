import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { createValidationPipe } from './common/validation';
import { refuseHostileValues, verifyJsonBody } from './common/hostile-json';

/** Everything main.ts and the e2e tests both apply to the HTTP app, so tests run what users run. */
export function configureApp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', 'loopback');
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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
