import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A signed-out JWT, refused until it would have expired anyway (then the row can go). */
@Entity('revoked_tokens')
export class RevokedToken {
  /** The token's `jti`. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  jti: string;

  @Column({ type: 'varchar', length: 36 })
  user_id: string;

  /** The token's own expiry. */
  @Column({ type: 'datetime', precision: 3 })
  expires_at: Date;
}
