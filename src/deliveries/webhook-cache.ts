import { Injectable } from '@nestjs/common';
import { TransactionService } from '../database/transaction.service';
import { Webhook } from '../webhooks/entities/webhook.entity';

const TTL_MS = 1000;

/**
 * Webhooks as the sender needs them, kept for a second: one read per webhook per second instead of
 * one per delivery. Changes made in this process invalidate at once; other processes see them within the TTL.
 */
@Injectable()
export class WebhookCache {
  private readonly entries = new Map<number, { webhook: Webhook | null; expires: number }>();
  private readonly invalidated: ((id: number) => void)[] = [];

  constructor(private readonly tx: TransactionService) {}

  async get(id: number): Promise<Webhook | null> {
    const hit = this.entries.get(id);
    if (hit && hit.expires > Date.now()) return hit.webhook;
    const webhook = await this.tx.read((m) => m.findOneBy(Webhook, { id }));
    this.entries.set(id, { webhook, expires: Date.now() + TTL_MS });
    return webhook;
  }

  invalidate(id: number): void {
    this.entries.delete(id);
    for (const listener of this.invalidated) listener(id);
  }

  /** Called on each invalidation (the server passes them on to its delivery thread). */
  onInvalidate(listener: (id: number) => void): void {
    this.invalidated.push(listener);
  }
}
