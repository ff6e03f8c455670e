import { DynamicModule, Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** Loaded only by a process that serves HTTP: its Swagger decorator loads @nestjs/swagger. */
function metricsController(): typeof import('./metrics.controller').MetricsController {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./metrics.controller') as typeof import('./metrics.controller'))
    .MetricsController;
}

/**
 * The process's metrics. `withEndpoint()` adds `GET /metrics` for a process that serves HTTP; the
 * delivery thread and the CLI import the module as it is, and never load Swagger for it.
 */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {
  static withEndpoint(): DynamicModule {
    return { module: MetricsModule, controllers: [metricsController()] };
  }
}
