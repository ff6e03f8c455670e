/**
 * The usage guide writes commands as flags (`--migration-do`, `--create-admin`,
 * `--generate-webhook --url U --send`, in any order). This maps them onto the subcommands.
 */
const FLAG_COMMANDS: Record<string, string[]> = {
  '--migration-do': ['migrate'],
  '--migrate': ['migrate'],
  '--create-admin': ['user:create', '--admin'],
  '--generate-webhook': ['generate-webhook'],
};

export function rewriteAliases(args: readonly string[]): string[] {
  const index = args.findIndex((arg) => arg in FLAG_COMMANDS);
  if (index === -1) return [...args];
  const rest = [...args.slice(0, index), ...args.slice(index + 1)];
  return [...FLAG_COMMANDS[args[index]], ...rest];
}
