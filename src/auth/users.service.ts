import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService, fieldNames } from '../audit/audit.service';
import { TransactionService } from '../database/transaction.service';
import { diff } from '../events/event-catalog';
import { EventPublisher } from '../events/event-publisher';
import { Page, PageQuery, skipFor, toPage } from '../common/pagination';
import { ApiKey } from './entities/api-key.entity';
import { PublicUser, toPublicUser, User, UserRole, UserStatus } from './entities/user.entity';
import { UserCreatedEvent, UserEventData } from './events/user-created.event';
import { UserUpdatedEvent } from './events/user-updated.event';
import { hashPassword } from './password-hasher';

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: UserRole;
}

export interface UserChanges {
  name?: string;
  role?: UserRole;
  status?: UserStatus;
  password?: string;
}

/**
 * A new password, role or status ends every session the user has: the JWTs signed before it (their
 * token version no longer matches) and the user's API keys (deleted).
 */
function endsSessionsOf(current: User, input: UserChanges): boolean {
  return (
    input.password !== undefined ||
    (input.role !== undefined && input.role !== current.role) ||
    (input.status !== undefined && input.status !== current.status)
  );
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function eventData(user: User): UserEventData {
  return {
    user_id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    status: user.status,
  };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly tx: TransactionService,
    private readonly events: EventPublisher,
    private readonly audit: AuditService,
  ) {}

  async create(input: NewUser): Promise<PublicUser> {
    const email = normaliseEmail(input.email);
    const password_hash = await hashPassword(input.password);
    const user = await this.tx.run(async (m) => {
      if (await m.existsBy(User, { email })) {
        throw new ConflictException({
          message: `email: a user with email ${email} already exists`,
          details: [{ field: 'email', errors: ['already exists'] }],
        });
      }
      const created = await m.save(
        m.create(User, {
          email,
          name: input.name,
          password_hash,
          role: input.role,
          status: 'active',
        }),
      );
      await this.events.publish(m, [new UserCreatedEvent(eventData(created))]);
      await this.audit.record(m, {
        action: 'user.create',
        targetType: 'user',
        targetId: created.id,
      });
      return created;
    });
    return toPublicUser(user);
  }

  async update(id: string, input: UserChanges): Promise<PublicUser> {
    const after = await this.tx.run(async (m) => {
      const current = await m.findOneBy(User, { id });
      if (!current) throw new NotFoundException(`User ${id} not found`);
      const next: Partial<User> = {};
      if (input.name !== undefined) next.name = input.name;
      if (input.role !== undefined) next.role = input.role;
      if (input.status !== undefined) next.status = input.status;
      if (input.password !== undefined) next.password_hash = await hashPassword(input.password);
      const endsSessions = endsSessionsOf(current, input);
      if (endsSessions) next.token_version = current.token_version + 1;
      if (Object.keys(next).length > 0) await m.update(User, { id }, next);
      if (endsSessions) await this.revokeApiKeys(m, id);
      const updated = { ...current, ...next };
      const changes = diff(current, updated, ['name', 'role', 'status']);
      if (Object.keys(changes).length > 0)
        await this.events.publish(m, [new UserUpdatedEvent({ ...eventData(updated), changes })]);
      await this.audit.record(m, {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        details: { fields: fieldNames(input) },
      });
      return updated;
    });
    return toPublicUser(after);
  }

  /** Deletes the user's API keys, each with its own audit entry, in the caller's transaction. */
  private async revokeApiKeys(m: EntityManager, userId: string): Promise<void> {
    const keys = await m.find(ApiKey, { select: { id: true }, where: { user_id: userId } });
    if (keys.length === 0) return;
    await m.delete(ApiKey, { user_id: userId });
    for (const key of keys)
      await this.audit.record(m, {
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: key.id,
      });
  }

  async list(query: PageQuery): Promise<Page<PublicUser>> {
    const [rows, total] = await this.users.findAndCount({
      order: { created_at: 'ASC', id: 'ASC' },
      skip: skipFor(query),
      take: query.limit,
    });
    return toPage(rows.map(toPublicUser), total, query);
  }

  async get(id: string): Promise<PublicUser> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException(`User ${id} not found`);
    return toPublicUser(user);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normaliseEmail(email) });
  }

  /** The user with their password hash, for login only. */
  findWithPasswordHash(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.password_hash')
      .where('u.email = :email', { email: normaliseEmail(email) })
      .getOne();
  }
}
