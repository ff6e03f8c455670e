import type { Type } from '@nestjs/common';

type ModuleLoader = () => Promise<Type>;

const migrate: ModuleLoader = () =>
  import('./migrations/migrate.commands').then((m) => m.MigrateCommandsModule);
const users: ModuleLoader = () => import('./user.commands').then((m) => m.UserCommandsModule);
const audit: ModuleLoader = () => import('./audit.commands').then((m) => m.AuditCommandsModule);
const serve: ModuleLoader = () => import('./serve.commands').then((m) => m.ServeCommandsModule);
const webhooks: ModuleLoader = () =>
  import('./webhook-commands.module').then((m) => m.WebhookCommandsModule);

/**
 * The module of each command. A command loads only its own module (its file is required only then),
 * so `homa migrate:status` starts without the HTTP app, the delivery pipeline or Swagger.
 */
export const COMMAND_MODULES: ReadonlyMap<string, ModuleLoader> = new Map([
  ['migrate', migrate],
  ['migrate:revert', migrate],
  ['migrate:status', migrate],
  // Listed for --help: `homa serve` and `homa worker` themselves start before commands are parsed.
  ['serve', serve],
  ['worker', serve],
  ['user:create', users],
  ['api-key:create', users],
  ['audit:list', audit],
  ['generate-webhook', webhooks],
  ['webhook:secret', webhooks],
  ['secrets:reencrypt', webhooks],
]);

/** The modules to load for `command`: its own, or every one (for `--help`, `help`, or a typo). */
export async function commandModules(command: string | undefined): Promise<Type[]> {
  const own = command === undefined ? undefined : COMMAND_MODULES.get(command);
  if (own) return [await own()];
  return Promise.all([...new Set(COMMAND_MODULES.values())].map((load) => load()));
}
