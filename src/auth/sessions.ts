import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { TransactionService } from '../database/transaction.service';
import { RevokedToken } from './entities/revoked-token.entity';

/** JWTs signed out before they expire. A row can go once its token has expired anyway. */
@Injectable()
export class Sessions {
  constructor(
    @InjectRepository(RevokedToken) private readonly revoked: Repository<RevokedToken>,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  isRevoked(jti: string): Promise<boolean> {
    return this.revoked.existsBy({ jti });
  }

  async revoke(userId: string, session: { jti: string; expiresAt: Date }): Promise<void> {
    await this.tx.run(async (m) => {
      await m.delete(RevokedToken, { expires_at: LessThan(new Date()) });
      await m.upsert(
        RevokedToken,
        { jti: session.jti, user_id: userId, expires_at: session.expiresAt },
        ['jti'],
      );
      await this.audit.record(m, { action: 'auth.logout', targetType: 'user', targetId: userId });
    });
  }
}
