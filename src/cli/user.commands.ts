import { Module } from '@nestjs/common';
import { Command, CommandRunner, InquirerService, Option } from 'nest-commander';
import { ApiKeysService } from '../auth/api-keys.service';
import { UsersModule } from '../auth/users.module';
import { UsersService } from '../auth/users.service';
import { NewPasswordQuestions, readNewPassword } from './password-prompt';
import { DomainEventsModule } from '../deliveries/outbox/domain-events.module';
import { helpText } from './help-text';

interface UserCreateOptions {
  email?: string;
  password?: string;
  name?: string;
  admin?: boolean;
}

function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw new Error(`Missing required option ${flag}`);
  return value;
}

@Command({
  name: 'user:create',
  description: helpText(
    'Create a user; --admin makes an admin',
    'An agent, or with --admin an admin. `homa --create-admin …` (the usage guide’s form) is ' +
      '`homa user:create --admin …`: it makes an admin.',
  ),
})
export class UserCreateCommand extends CommandRunner {
  constructor(
    private readonly users: UsersService,
    private readonly inquirer: InquirerService,
  ) {
    super();
  }

  async run(_: string[], options: UserCreateOptions): Promise<void> {
    const email = required(options.email, '--email');
    const password = options.password ?? (await readNewPassword(this.inquirer));
    if (!password)
      throw new Error('No password: type it at the prompt, pipe it on stdin, or give --password');
    if (password.length < 8) throw new Error('The password must be at least 8 characters');
    const user = await this.users.create({
      email,
      password,
      name: options.name ?? email.split('@')[0],
      role: options.admin ? 'admin' : 'agent',
    });
    console.log(`✅ Created ${user.role} ${user.email} (id ${user.id})`);
  }

  @Option({ flags: '--email <email>', description: 'Email address to sign in with' })
  parseEmail(value: string): string {
    return value;
  }

  @Option({
    flags: '--password <password>',
    description:
      'Password, at least 8 characters (better left out: then it is asked for, or read from stdin)',
  })
  parsePassword(value: string): string {
    return value;
  }

  @Option({
    flags: '--name <name>',
    description: 'Display name (default: the part of the email before @)',
  })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--admin', description: 'Give the user the admin role' })
  parseAdmin(): boolean {
    return true;
  }
}

@Command({
  name: 'api-key:create',
  description: "Create a user's API key and print it (shown once)",
})
export class ApiKeyCreateCommand extends CommandRunner {
  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
  ) {
    super();
  }

  async run(_: string[], options: { email?: string; name?: string }): Promise<void> {
    const email = required(options.email, '--email');
    const user = await this.users.findByEmail(email);
    if (!user) throw new Error(`No user with email ${email}`);
    const key = await this.apiKeys.create(user.id, options.name ?? 'CLI');
    console.log(key.key);
  }

  @Option({ flags: '--email <email>', description: "The key's owner" })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--name <name>', description: 'A label for the key (default: CLI)' })
  parseName(value: string): string {
    return value;
  }
}

/** Users and their events (recorded in the outbox for a server to deliver), without sign-in or delivery. */
@Module({
  imports: [UsersModule, DomainEventsModule],
  providers: [UserCreateCommand, ApiKeyCreateCommand, NewPasswordQuestions],
})
export class UserCommandsModule {}
