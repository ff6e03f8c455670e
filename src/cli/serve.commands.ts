import { Module } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { helpText } from './help-text';

// `homa serve` and `homa worker` start in main.ts before any command line is parsed (they boot the
// app, not the CLI's module); these entries give them their place in `homa --help` and a help of
// their own. Their run() does what main.ts does.

@Command({
  name: 'serve',
  description: helpText(
    'Start the HTTP API (and delivery, without Redis)',
    'Applies pending migrations (each logged by name), then serves the API, Swagger UI and the ' +
      'console on PORT (8000). Without REDIS_URL it delivers webhooks on a thread of its own; with ' +
      'REDIS_URL it leaves delivery to `homa worker`.',
    'SIGTERM or SIGINT stop it: attempts in flight get SHUTDOWN_GRACE_SECONDS (35) to finish and ' +
      'have their outcomes written; past it they are interrupted, recorded as such and made again ' +
      'at the next start.',
  ),
})
export class ServeCommand extends CommandRunner {
  async run(): Promise<void> {
    await (await import('../main')).bootstrap();
  }
}

@Command({
  name: 'worker',
  description: helpText(
    'Start a delivery worker (needs REDIS_URL)',
    'Takes delivery jobs from Redis (BullMQ), fans out events and records outcomes; serves only ' +
      '/health and /metrics, on WORKER_PORT (8001). Run any number, on any machines sharing the ' +
      'database and Redis.',
    'SIGTERM or SIGINT stop it as they stop `homa serve` (SHUTDOWN_GRACE_SECONDS).',
  ),
})
export class WorkerCommand extends CommandRunner {
  async run(): Promise<void> {
    await (await import('../worker')).bootstrapWorker();
  }
}

@Module({ providers: [ServeCommand, WorkerCommand] })
export class ServeCommandsModule {}
