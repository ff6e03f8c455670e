#!/usr/bin/env node
import 'reflect-metadata';
import { actingAs, CLI_ACTOR } from '../audit/audit-context';
import { inTrace } from '../telemetry/trace-scope';
import { newTrace } from '../telemetry/tracing';
import { StartupLogger } from '../logging/startup-logger';
import { rewriteAliases } from './argv-aliases';
import { summaryOf } from './help-text';
import { isDirectMigrateCommand, runDirectMigrateCommand } from './migrations/migrate-direct';

// Nest, the CLI's modules and the app are imported only by the paths that use them: a CLI command
// starts in about a second because it loads only what it runs.

async function main(): Promise<void> {
  const args = rewriteAliases(process.argv.slice(2));
  const help = args.includes('--help') || args.includes('-h');
  if ((args[0] === 'serve' || args[0] === 'worker') && !help) {
    await startProcess(args[0]);
    return;
  }
  if (isDirectMigrateCommand(args)) {
    await runDirectMigrateCommand(args);
    return;
  }
  // commander names the program after argv[1]: `Usage: homa …` in the help, not this file's name.
  process.argv = [process.argv[0], 'homa', ...args];
  // Every audit entry a command writes names the CLI as its actor; every event it records, its trace.
  await actingAs({ actor: () => CLI_ACTOR, ip: null }, () =>
    inTrace(newTrace(), () => runCommand(args[0])),
  );
}

/** `homa serve` and `homa worker`: a failed start is one log line in LOG_FORMAT, and status 1. */
async function startProcess(role: 'serve' | 'worker'): Promise<void> {
  try {
    if (role === 'serve') await (await import('../main')).bootstrap();
    else await (await import('../worker')).bootstrapWorker();
  } catch (error) {
    new StartupLogger().error(error, 'Bootstrap');
    process.exit(1);
  }
}

async function runCommand(command: string | undefined): Promise<void> {
  const { CommandFactory } = await import('nest-commander');
  const { CliModule } = await import('./cli.module');
  const { commandModules } = await import('./command-modules');
  await CommandFactory.run(CliModule.forCommands(await commandModules(command)), {
    // Warnings and errors only, on stderr (stdout is the command's output), in LOG_FORMAT.
    logger: new StartupLogger(process.env, { stderr: true, floor: 'warn' }),
    cliName: 'homa',
    // The command list shows each description's first line; a command's own --help, all of it.
    helpConfiguration: {
      subcommandDescription: (command) => summaryOf(command.description()),
    },
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
