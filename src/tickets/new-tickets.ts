import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { Batcher, ItemResult } from '../common/batcher';
import { fieldError } from '../common/validation';
import { insertRows, placeholders } from '../database/sql';
import { TransactionService } from '../database/transaction.service';
import { DomainEvent } from '../events/domain-event';
import { EventPublisher } from '../events/event-publisher';
import { ClientsService, ResolvedClient } from './clients.service';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { Ticket } from './entities/ticket.entity';
import { TicketCreatedEvent } from './events/ticket-created.event';
import { TicketMessagesService } from './ticket-messages.service';

/** A ticket to create: the request, its channel, and the hash of the secret its client was given. */
export interface NewTicket {
  input: CreateTicketDto;
  channel: string;
  secretHash: string;
}

/** Tickets written in one transaction, at most. */
const MAX_BATCH = 32;

/**
 * Group commit of new tickets. The tickets requested while a batch is written make up the next batch,
 * written in one transaction with a few statements for them all: one query finds their clients, one
 * INSERT writes the new clients, one the tickets, one their first messages, one the counters of their
 * ordering keys, one their events. Written one by one, each ticket took seven round trips to the
 * database, and under load on MySQL/MariaDB they were most of the work of both the request thread and
 * the database (each one wakes a thread on both sides). A ticket alone is a batch of one, written at
 * once.
 *
 * Tickets of one batch are created as if one after another: the events of each are recorded in order
 * (client.created for a new client, ticket.created, message.created), a new email met twice makes one
 * client. A request that is invalid (an unknown department) gets its 400 and the others are
 * written. Should the batch fail in another way before its commit, each of its tickets is written alone
 * again, so that one ticket's failure is never another's; should its COMMIT fail, it is not (it may
 * have been written), and each caller gets the error, as a request written alone would.
 */
@Injectable()
export class NewTickets {
  private readonly batcher = new Batcher<NewTicket, Ticket>(
    (tickets) => this.writeBatch(tickets),
    MAX_BATCH,
  );

  constructor(
    private readonly tx: TransactionService,
    private readonly clients: ClientsService,
    private readonly messages: TicketMessagesService,
    private readonly events: EventPublisher,
  ) {}

  create(ticket: NewTicket): Promise<Ticket> {
    return this.batcher.submit(ticket);
  }

  private async writeBatch(tickets: NewTicket[]): Promise<ItemResult<Ticket>[]> {
    try {
      return await this.retryOnDuplicateClient(() => this.tx.run((m) => this.insert(m, tickets)));
    } catch (error) {
      if (tickets.length === 1 || !rolledBack(error)) throw error;
      return Promise.all(
        tickets.map((ticket) =>
          this.writeBatch([ticket]).then(
            ([result]) => result,
            (error: unknown) => ({ error }),
          ),
        ),
      );
    }
  }

  private async insert(m: EntityManager, tickets: NewTicket[]): Promise<ItemResult<Ticket>[]> {
    const results: ItemResult<Ticket>[] = new Array<ItemResult<Ticket>>(tickets.length);
    const unknown = await unknownDepartments(m, tickets);
    const candidates: number[] = [];
    tickets.forEach(({ input: { department_id: id } }, index) => {
      if (id !== undefined && unknown.has(id))
        results[index] = { error: fieldError('department_id', `${id} is not a known department`) };
      else candidates.push(index);
    });
    const resolutions = await this.clients.resolveMany(
      m,
      candidates.map((index) => tickets[index].input),
    );
    const valid: { index: number; client: ResolvedClient; events: DomainEvent[] }[] =
      candidates.map((index, i) => ({ index, ...resolutions[i] }));
    if (valid.length === 0) return results;

    const now = new Date();
    const rows = valid.map(({ index, client }) => {
      const { input, channel, secretHash } = tickets[index];
      return {
        title: input.title?.trim() || defaultTitle(input.message),
        client_id: client.id,
        client_name: input.client_name.trim(),
        department_id: input.department_id ?? null,
        channel_id: channel,
        status: 'new' as const,
        priority: input.priority ?? 'medium',
        assigned_user_id: null,
        secret_hash: secretHash,
        closed_at: null,
        created_at: now,
        updated_at: now,
      };
    });
    // Plain SQL: TypeORM's save() re-reads each row it wrote and cost more CPU than the statement.
    const ids = await insertRows(m, 'tickets', rows);
    const created: Ticket[] = rows.map((row, i) => ({ id: ids[i], ...row }));
    const createdEvents = created.map((ticket) => ticketCreated(ticket));
    const firsts = await this.messages.insertMany(
      m,
      valid.map(({ index, client }, i) => ({
        ticket_id: created[i].id,
        author_type: 'client' as const,
        author_id: client.id,
        body: tickets[index].input.message,
      })),
    );
    await this.events.publish(
      m,
      valid.flatMap(({ events }, i) => [...events, createdEvents[i], firsts[i].event]),
    );
    valid.forEach(({ index }, i) => {
      results[index] = { value: created[i] };
    });
    return results;
  }

  private async retryOnDuplicateClient<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // Two first tickets from one new email at once, in two processes: the loser runs again and
      // finds the client.
      const code = (error as { driverError?: { code?: string } }).driverError?.code;
      if (code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return work();
      throw error;
    }
  }
}

/**
 * Whether a failed transaction is known to have written nothing: anything but a failed COMMIT (whose
 * outcome is unknown, and whose tickets must not be written twice).
 */
function rolledBack(error: unknown): boolean {
  return !(error instanceof QueryFailedError && /^\s*COMMIT/i.test(error.query));
}

async function unknownDepartments(m: EntityManager, tickets: NewTicket[]): Promise<Set<number>> {
  const ids = [
    ...new Set(tickets.flatMap((t) => (t.input.department_id ? [t.input.department_id] : []))),
  ];
  if (ids.length === 0) return new Set();
  const rows: { id: number | string }[] = await m.query(
    `SELECT id FROM departments WHERE id IN (${placeholders(ids.length)})`,
    ids,
  );
  const known = new Set(rows.map((row) => Number(row.id)));
  return new Set(ids.filter((id) => !known.has(id)));
}

function ticketCreated(ticket: Ticket): TicketCreatedEvent {
  return new TicketCreatedEvent({
    ticket_id: ticket.id,
    title: ticket.title,
    client_id: ticket.client_id,
    department_id: ticket.department_id,
    channel_id: ticket.channel_id,
    status: ticket.status,
    priority: ticket.priority,
  });
}

function defaultTitle(message: string): string {
  const line = message.trim().split('\n')[0].trim();
  if (!line) return 'Untitled ticket';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
