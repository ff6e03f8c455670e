import type { TicketMessage } from './entities/ticket-message.entity';
import type { TicketView } from './entities/ticket.entity';
import type { TicketWithMessages } from './tickets.service';

/**
 * What the public client API shows: no internal ids of clients or users. Whoever holds a ticket's
 * secret proved only that they opened that ticket, and anyone may open one for any email, so the
 * client's id (and with it the client's record) stays out of every public answer, and so do the ids
 * of the agents assigned to it or writing on it.
 */
export type PublicTicket = Omit<TicketView, 'client_id' | 'assigned_user_id'>;
export type PublicMessage = Omit<TicketMessage, 'author_id'>;
export type PublicTicketDetail = PublicTicket & {
  /** The name the ticket was opened under and the email it was filed by. */
  client: { name: string | null; email: string | null };
  messages: PublicMessage[];
};

export function toPublicTicket(ticket: TicketView): PublicTicket {
  const { client_id, assigned_user_id, ...rest } = ticket;
  return rest;
}

export function toPublicMessage(message: TicketMessage): PublicMessage {
  const { author_id, ...rest } = message;
  return rest;
}

export function toPublicDetail(detail: TicketWithMessages): PublicTicketDetail {
  const { client, messages, ...ticket } = detail;
  return {
    ...toPublicTicket(ticket),
    client: { name: ticket.client_name, email: client?.email ?? null },
    messages: messages.map(toPublicMessage),
  };
}
