import { Injectable } from '@nestjs/common';
import { EntityManager, FindOptionsWhere } from 'typeorm';
import { definedOnly } from '../common/objects';
import { Page, skipFor, toPage } from '../common/pagination';
import { fieldError } from '../common/validation';
import { TransactionService } from '../database/transaction.service';
import { Department } from '../departments/entities/department.entity';
import { User } from '../auth/entities/user.entity';
import { DomainEvent } from '../events/domain-event';
import { diff } from '../events/event-catalog';
import { EventPublisher } from '../events/event-publisher';
import { toRfc3339 } from '../events/rfc3339';
import { NewTickets } from './new-tickets';
import { CreateTicketDto, ListTicketsQueryDto, UpdateTicketDto } from './dto/create-ticket.dto';
import { Client } from './entities/client.entity';
import { TicketMessage } from './entities/ticket-message.entity';
import { Ticket, TicketView, toTicketView } from './entities/ticket.entity';
import { TicketAssignedEvent } from './events/ticket-assigned.event';
import { TicketClosedEvent } from './events/ticket-closed.event';
import { TicketStatusChangedEvent } from './events/ticket-status-changed.event';
import { TicketUpdatedEvent } from './events/ticket-updated.event';
import { ticketNotFound } from './ticket-errors';
import { newTicketSecret, ticketSecretMatches } from './ticket-secret';

export type TicketWithMessages = TicketView & {
  client: Pick<Client, 'id' | 'name' | 'email'> | null;
  messages: TicketMessage[];
};

const UPDATABLE = ['title', 'status', 'priority', 'department_id', 'closed_at'] as const;

/**
 * Tickets: every change is one transaction, and its events are published inside it (so they commit with
 * the change or not at all), in the order a subscriber expects (ticket.updated, then ticket.status_changed, then ticket.closed).
 * New tickets are written in batches (see NewTickets).
 */
@Injectable()
export class TicketsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly newTickets: NewTickets,
    private readonly events: EventPublisher,
  ) {}

  async create(input: CreateTicketDto, channel = 'web'): Promise<TicketView & { secret: string }> {
    const { secret, hash } = newTicketSecret();
    const ticket = await this.newTickets.create({ input, channel, secretHash: hash });
    return { ...toTicketView(ticket), secret };
  }

  /** Throws the ticket's 404 unless `secret` is the one issued with it (a wrong secret reveals nothing). */
  async authorizeClient(
    id: number,
    secret: string | undefined,
  ): Promise<Pick<Ticket, 'id' | 'client_id'>> {
    const row = await this.tx.read((m) =>
      m
        .createQueryBuilder(Ticket, 't')
        .select(['t.id', 't.client_id'])
        .addSelect('t.secret_hash')
        .where('t.id = :id', { id })
        .getOne(),
    );
    if (!row || !ticketSecretMatches(secret, row.secret_hash)) throw ticketNotFound(id);
    return { id: row.id, client_id: row.client_id };
  }

  async list(query: ListTicketsQueryDto): Promise<Page<TicketView>> {
    const where: FindOptionsWhere<Ticket> = {};
    for (const key of [
      'status',
      'priority',
      'department_id',
      'assigned_user_id',
      'client_id',
    ] as const) {
      if (query[key] !== undefined) Object.assign(where, { [key]: query[key] });
    }
    const [rows, total] = await this.tx.read((m) =>
      m.findAndCount(Ticket, {
        where,
        order: { created_at: 'DESC', id: 'DESC' },
        skip: skipFor(query),
        take: query.limit,
      }),
    );
    return toPage(rows.map(toTicketView), total, query);
  }

  async get(id: number): Promise<TicketWithMessages> {
    return this.tx.read(async (m) => {
      const ticket = await m.findOneBy(Ticket, { id });
      if (!ticket) throw ticketNotFound(id);
      const [client, messages] = await Promise.all([
        m.findOne(Client, {
          where: { id: ticket.client_id },
          select: { id: true, name: true, email: true },
        }),
        m.find(TicketMessage, { where: { ticket_id: id }, order: { id: 'ASC' } }),
      ]);
      return { ...toTicketView(ticket), client, messages };
    });
  }

  update(id: number, input: UpdateTicketDto): Promise<TicketView> {
    return this.change(id, async (m, ticket) => {
      if (input.department_id !== undefined && input.department_id !== null)
        await assertDepartment(m, input.department_id);
      const next: Partial<Ticket> = definedOnly({ ...input, title: input.title?.trim() });
      if (next.title === '') throw fieldError('title', 'should not be empty');
      if (input.status !== undefined && input.status !== ticket.status) {
        next.closed_at = input.status === 'closed' ? new Date() : null;
      }
      return next;
    });
  }

  /** Closing a closed ticket changes nothing and publishes nothing. */
  close(id: number): Promise<TicketView> {
    return this.change(id, (_m, ticket) =>
      Promise.resolve(
        ticket.status === 'closed' ? {} : { status: 'closed' as const, closed_at: new Date() },
      ),
    );
  }

  async assign(id: number, userId: string | null): Promise<TicketView> {
    const ticket = await this.tx.run(async (m) => {
      const current = await m.findOneBy(Ticket, { id });
      if (!current) throw ticketNotFound(id);
      if (userId !== null) {
        const user = await m.findOneBy(User, { id: userId });
        if (!user) throw fieldError('user_id', `${userId} is not a known user`);
        if (user.status !== 'active') throw fieldError('user_id', `${userId} is blocked`);
      }
      if (current.assigned_user_id === userId) return current;
      const next = { assigned_user_id: userId, updated_at: new Date() };
      await m.update(Ticket, { id }, next);
      const after = { ...current, ...next };
      await this.events.publish(m, [
        updatedEvent(after, diff(current, after, ['assigned_user_id'])),
        new TicketAssignedEvent({
          ticket_id: id,
          user_id: userId,
          previous_user_id: current.assigned_user_id,
        }),
      ]);
      return after;
    });
    return toTicketView(ticket);
  }

  /** Loads, applies the changes `decide` returns, and publishes what actually changed. */
  private async change(
    id: number,
    decide: (m: EntityManager, ticket: Ticket) => Promise<Partial<Ticket>>,
  ): Promise<TicketView> {
    const ticket = await this.tx.run(async (m) => {
      const current = await m.findOneBy(Ticket, { id });
      if (!current) throw ticketNotFound(id);
      const next = await decide(m, current);
      const changes = diff(current, next, UPDATABLE);
      if (Object.keys(changes).length === 0) return current;
      // Set here rather than by TypeORM's CURRENT_TIMESTAMP, so the answer shows what is stored; a
      // close stamps both with the one instant it took.
      const updated = { ...next, updated_at: next.closed_at ?? new Date() };
      await m.update(Ticket, { id }, updated);
      const after = { ...current, ...updated };
      await this.events.publish(m, transitionEvents(current, after, changes));
      return after;
    });
    return toTicketView(ticket);
  }
}

function transitionEvents(
  before: Ticket,
  after: Ticket,
  changes: ReturnType<typeof diff>,
): DomainEvent[] {
  const dated = { ...changes };
  if (dated.closed_at)
    dated.closed_at = { old: isoOrNull(before.closed_at), new: isoOrNull(after.closed_at) };
  const events: DomainEvent[] = [updatedEvent(after, dated)];
  if (before.status !== after.status) {
    events.push(
      new TicketStatusChangedEvent({
        ticket_id: after.id,
        old_status: before.status,
        new_status: after.status,
      }),
    );
    if (after.status === 'closed' && after.closed_at) {
      events.push(
        new TicketClosedEvent({ ticket_id: after.id, closed_at: toRfc3339(after.closed_at) }),
      );
    }
  }
  return events;
}

function updatedEvent(ticket: Ticket, changes: ReturnType<typeof diff>): TicketUpdatedEvent {
  return new TicketUpdatedEvent({
    ticket_id: ticket.id,
    title: ticket.title,
    status: ticket.status,
    priority: ticket.priority,
    department_id: ticket.department_id,
    assigned_user_id: ticket.assigned_user_id,
    changes,
  });
}

async function assertDepartment(m: EntityManager, id: number): Promise<void> {
  if (!(await m.existsBy(Department, { id })))
    throw fieldError('department_id', `${id} is not a known department`);
}

function isoOrNull(date: Date | null): string | null {
  return date ? toRfc3339(new Date(date)) : null;
}
