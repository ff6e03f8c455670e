import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DeliveriesReleasedEvent } from '../events/pipeline.events';

/**
 * Announces deliveries of ordered webhooks made due by a transaction that has committed; this
 * process's transport listens (`DeliveriesReleasedEvent`) and takes them at once.
 */
@Injectable()
export class DeliveryReleases {
  constructor(private readonly emitter: EventEmitter2) {}

  released(ids: string[]): void {
    if (ids.length === 0) return;
    this.emitter.emit(DeliveriesReleasedEvent.NAME, new DeliveriesReleasedEvent(ids));
  }
}
