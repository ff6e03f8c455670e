import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const AUTHOR_TYPES = ['client', 'user', 'system'] as const;
export type AuthorType = (typeof AUTHOR_TYPES)[number];

@Entity('ticket_messages')
export class TicketMessage {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column({ type: 'int' })
  ticket_id: number;

  @Column({ type: 'varchar', length: 16 })
  author_type: AuthorType;

  @Column({ type: 'varchar', length: 36, nullable: true })
  author_id: string | null;

  @Column({ type: 'text' })
  body: string;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  created_at: Date;
}
