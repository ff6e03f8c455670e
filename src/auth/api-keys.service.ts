import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { fieldError } from '../common/validation';
import { TransactionService } from '../database/transaction.service';
import { ApiKey } from './entities/api-key.entity';
import { User } from './entities/user.entity';

export const API_KEY_PREFIX = 'homa_';
const API_KEY_PATTERN = /^homa_[0-9a-f]{64}$/;

export function isApiKey(token: string): boolean {
  return API_KEY_PATTERN.test(token);
}

/** Keys are stored as SHA-256: they are 256 random bits, so a slow hash adds nothing but latency. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const MAX_KEY_LIFETIME_MS = 10 * 366 * 24 * 3600 * 1000;

/** An API key's expiry: a time in the future, at most ten years ahead; else a 400 naming it. */
function futureExpiry(value: string): Date {
  const at = new Date(value);
  const ahead = at.getTime() - Date.now();
  if (!(ahead > 0)) throw fieldError('expires_at', 'must be in the future');
  if (ahead > MAX_KEY_LIFETIME_MS) throw fieldError('expires_at', 'must be at most 10 years ahead');
  return at;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  key_prefix: string;
  created_at: Date;
  expires_at: Date | null;
  /** Shown once; only its hash is stored. */
  key: string;
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  async create(userId: string, name: string, expiresAt?: string): Promise<CreatedApiKey> {
    const expires_at = expiresAt === undefined ? null : futureExpiry(expiresAt);
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('hex')}`;
    const key_prefix = key.slice(0, 12);
    const saved = await this.tx.run(async (m) => {
      const created = await m.save(
        m.create(ApiKey, {
          user_id: userId,
          name,
          key_hash: hashApiKey(key),
          key_prefix,
          last_used_at: null,
          expires_at,
        }),
      );
      await this.audit.record(m, {
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: created.id,
      });
      return created;
    });
    return {
      id: saved.id,
      name: saved.name,
      key_prefix,
      created_at: saved.created_at,
      expires_at,
      key,
    };
  }

  list(userId: string): Promise<ApiKey[]> {
    return this.keys.find({ where: { user_id: userId }, order: { created_at: 'DESC' } });
  }

  async revoke(userId: string, id: string): Promise<void> {
    await this.tx.run(async (m) => {
      const result = await m.delete(ApiKey, { id, user_id: userId });
      if (!result.affected) throw new NotFoundException(`API key ${id} not found`);
      await this.audit.record(m, { action: 'api_key.revoke', targetType: 'api_key', targetId: id });
    });
  }

  /**
   * The key's owner and the key's id (audit entries name the key that acted), or null.
   * Lookup is by hash, so no secret is compared byte by byte.
   */
  async authenticateKey(key: string): Promise<{ user: User; keyId: string } | null> {
    if (!isApiKey(key)) return null;
    const found = await this.keys.findOne({
      where: { key_hash: hashApiKey(key) },
      relations: { user: true },
    });
    if (!found?.user) return null;
    if (found.expires_at && found.expires_at.getTime() <= Date.now()) return null;
    const stale = !found.last_used_at || Date.now() - found.last_used_at.getTime() > 60_000;
    if (stale) void this.touch(found.id);
    return { user: found.user, keyId: found.id };
  }

  private async touch(id: string): Promise<void> {
    await this.tx
      .run((m) => m.update(ApiKey, { id }, { last_used_at: new Date() }))
      .catch(() => undefined);
  }
}
