import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const TICKET_STATUSES = [
  'new',
  'wait_for_agent',
  'in_progress',
  'wait_for_user',
  'on_hold',
  'resolved',
  'closed',
  'unresolved',
  'spam',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

@Entity('tickets')
export class Ticket {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'varchar', length: 36 })
  client_id: string;

  /**
   * The name the ticket was opened under. Anyone may open a ticket for any email, so the name given
   * is kept here and never written over the client's own.
   */
  @Column({ type: 'varchar', length: 255, nullable: true })
  client_name: string | null;

  @Column({ type: 'int', nullable: true })
  department_id: number | null;

  @Column({ type: 'varchar', length: 32, default: 'web' })
  channel_id: string;

  @Column({ type: 'varchar', length: 32, default: 'new' })
  status: TicketStatus;

  @Column({ type: 'varchar', length: 16, default: 'medium' })
  priority: TicketPriority;

  @Column({ type: 'varchar', length: 36, nullable: true })
  assigned_user_id: string | null;

  /** SHA-256 of the client's one-time secret. */
  @Column({ type: 'varchar', length: 64, select: false })
  secret_hash: string;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  closed_at: Date | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  created_at: Date;

  @UpdateDateColumn({ type: 'datetime', precision: 3 })
  updated_at: Date;
}

/** A ticket as the API shows it: never its secret hash. */
export type TicketView = Omit<Ticket, 'secret_hash'>;

export function toTicketView(ticket: Ticket): TicketView {
  const { secret_hash, ...view } = ticket;
  return view;
}
