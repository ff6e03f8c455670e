import {
  MiddlewareConsumer,
  Module,
  NestModule,
  OnApplicationShutdown,
  OnModuleInit,
  RequestMethod,
} from '@nestjs/common';
import { traceRequests } from './trace.middleware';
import { startTelemetry, stopTelemetry } from './tracing';

/**
 * Trace context for a process (server, worker or delivery thread): API requests run in their trace,
 * and with `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans are exported until the process stops.
 */
@Module({})
export class TelemetryModule implements NestModule, OnModuleInit, OnApplicationShutdown {
  async onModuleInit(): Promise<void> {
    await startTelemetry();
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(traceRequests).forRoutes({ path: 'api/{*path}', method: RequestMethod.ALL });
  }

  async onApplicationShutdown(): Promise<void> {
    await stopTelemetry();
  }
}
