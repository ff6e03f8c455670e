import type { Changes } from '../../events/event-catalog';
import type { AuthorType } from '../entities/ticket-message.entity';
import type { TicketPriority, TicketStatus } from '../entities/ticket.entity';

/** Webhook payloads of the ticket, message and client events, exactly as DESIGN.md's event table. */
export interface TicketCreatedData {
  ticket_id: number;
  title: string;
  client_id: string;
  department_id: number | null;
  channel_id: string;
  status: TicketStatus;
  priority: TicketPriority;
}

export interface TicketUpdatedData {
  ticket_id: number;
  title: string;
  status: TicketStatus;
  priority: TicketPriority;
  department_id: number | null;
  assigned_user_id: string | null;
  changes: Changes;
}

export interface TicketStatusChangedData {
  ticket_id: number;
  old_status: TicketStatus;
  new_status: TicketStatus;
}

export interface TicketClosedData {
  ticket_id: number;
  closed_at: string;
}

export interface TicketAssignedData {
  ticket_id: number;
  user_id: string | null;
  previous_user_id: string | null;
}

export interface MessageCreatedData {
  message_id: number;
  ticket_id: number;
  author_type: AuthorType;
  author_id: string | null;
  body: string;
  created_at: string;
}

export interface ClientData {
  client_id: string;
  name: string;
  email: string | null;
}
