import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { TransactionService } from '../database/transaction.service';
import { Webhook } from './entities/webhook.entity';
import { WebhookInvalidatedEvent } from './events/webhook-settings.events';

const TTL_MS = 1000;

/**
 * Webhooks as the sender needs them, kept for a second: one read per webhook per second instead of
 * one per delivery, shared by every attempt that asks while it is in flight. Changes made in this
 * process invalidate at once (and announce it: the server's delivery thread keeps a cache of its own);
 * other processes see them within the TTL.
 */
@Injectable()
export class WebhookCache {
  private readonly entries = new Map<number, { webhook: Webhook | null; expires: number }>();
  private readonly loading = new Map<number, Promise<Webhook | null>>();
  constructor(
    private readonly tx: TransactionService,
    private readonly emitter: EventEmitter2,
  ) {}

  get(id: number): Promise<Webhook | null> {
    const hit = this.entries.get(id);
    if (hit && hit.expires > Date.now()) return Promise.resolve(hit.webhook);
    return this.loading.get(id) ?? this.load(id);
  }

  invalidate(id: number): void {
    this.entries.delete(id);
    // A read already in flight may predate the change: later callers read again, and its answer is not kept.
    this.loading.delete(id);
    this.emitter.emit(WebhookInvalidatedEvent.NAME, new WebhookInvalidatedEvent(id));
  }

  private load(id: number): Promise<Webhook | null> {
    const loaded = this.tx.read((m) =>
      m.findOneBy(Webhook, { id }).then((webhook) => {
        if (this.loading.get(id) === loaded)
          this.entries.set(id, { webhook, expires: Date.now() + TTL_MS });
        return webhook;
      }),
    );
    this.loading.set(id, loaded);
    const done = () => {
      if (this.loading.get(id) === loaded) this.loading.delete(id);
    };
    loaded.then(done, done);
    return loaded;
  }
}
