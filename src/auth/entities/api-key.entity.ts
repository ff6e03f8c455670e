import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from './user.entity';

@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 36 })
  user_id: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 64, unique: true, select: false })
  key_hash: string;

  /** The first characters of the key, so a user can tell keys apart without the key itself. */
  @Column({ type: 'varchar', length: 16 })
  key_prefix: string;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  last_used_at: Date | null;

  /** After this the key is refused; null: until revoked. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  expires_at: Date | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  created_at: Date;
}
