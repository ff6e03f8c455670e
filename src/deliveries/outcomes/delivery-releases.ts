import { Injectable } from '@nestjs/common';

/**
 * Tells this process's queue that deliveries of ordered webhooks were made due (their predecessor
 * finished, or their webhook was enabled again) by a transaction that has committed.
 */
@Injectable()
export class DeliveryReleases {
  private readonly listeners: ((ids: string[]) => void)[] = [];

  onReleased(listener: (ids: string[]) => void): void {
    this.listeners.push(listener);
  }

  released(ids: string[]): void {
    if (ids.length === 0) return;
    for (const listener of this.listeners) listener(ids);
  }
}
