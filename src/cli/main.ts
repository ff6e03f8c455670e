#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { actingAs, CLI_ACTOR } from '../audit/audit-context';
import { rewriteAliases } from './argv-aliases';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  const args = rewriteAliases(process.argv.slice(2));
  if (args[0] === 'serve') {
    const { bootstrap } = await import('../main');
    await bootstrap();
    return;
  }
  if (args[0] === 'worker') {
    const { bootstrapWorker } = await import('../worker');
    await bootstrapWorker();
    return;
  }
  process.argv = [...process.argv.slice(0, 2), ...args];
  // Every audit entry a command writes names the CLI as its actor.
  await actingAs({ actor: () => CLI_ACTOR, ip: null }, () => runCommand());
}

async function runCommand(): Promise<void> {
  await CommandFactory.run(CliModule, {
    logger: ['error', 'warn'],
    cliName: 'homa',
    errorHandler: (error: Error & { code?: string; exitCode?: number }) => {
      // commander reports --help and --version through this handler too.
      if (error.code?.startsWith('commander.help') || error.code === 'commander.version')
        process.exit(0);
      if (!error.code?.startsWith('commander.')) console.error(`❌ ${error.message}`);
      process.exit(error.exitCode || 1);
    },
    serviceErrorHandler: (error) => {
      console.error(`❌ ${error.message}`);
      process.exit(1);
    },
  });
}

main().catch((error: unknown) => {
  console.error(`❌ ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
