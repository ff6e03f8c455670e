/** A delivery waiting for, or holding, a slot. */
export interface QueuedDelivery {
  id: string;
  webhookId: number;
}

export interface DispatcherLimits {
  global: number;
  perWebhook: number;
  /** How many may wait per webhook; beyond that they stay in the database for the poller. */
  waitingPerWebhook: number;
  /** How many may be held in all (waiting or running). */
  capacity: number;
}

/**
 * The in-process queue: runs deliveries with a global bound and a bound per webhook, taking webhooks in
 * turn, so a slow or dead endpoint only ever holds its own slots and never delays the others' queue.
 */
export class DeliveryDispatcher<J extends QueuedDelivery = QueuedDelivery> {
  private readonly waiting = new Map<number, J[]>();
  private readonly active = new Map<number, number>();
  private readonly known = new Set<string>();
  private readonly turn: number[] = [];
  private running = 0;
  private stopped = false;

  constructor(
    private readonly limits: DispatcherLimits,
    private readonly work: (delivery: J) => Promise<void>,
  ) {}

  /**
   * Queues a delivery unless it is already queued or running, or (unless `force`: a delivery this
   * process already holds) its webhook's queue is full.
   */
  push(delivery: J, force = false): boolean {
    if (this.stopped || this.known.has(delivery.id)) return false;
    if (!force && !this.hasRoom(delivery.webhookId)) return false;
    this.known.add(delivery.id);
    const queue = this.waiting.get(delivery.webhookId);
    if (queue) queue.push(delivery);
    else {
      this.waiting.set(delivery.webhookId, [delivery]);
      this.turn.push(delivery.webhookId);
    }
    this.pump();
    return true;
  }

  /** Whether one more delivery of the webhook would fit, after `extra` (of it) and `extraTotal` (of any) promised. */
  hasRoom(webhookId: number, extra = 0, extraTotal = extra): boolean {
    return (
      this.known.size + extraTotal < this.limits.capacity &&
      (this.waiting.get(webhookId)?.length ?? 0) + extra < this.limits.waitingPerWebhook
    );
  }

  /** How many more deliveries fit in all. */
  get room(): number {
    return Math.max(0, this.limits.capacity - this.known.size);
  }

  /** Deliveries waiting for a slot (not yet started). */
  *waitingJobs(): Iterable<J> {
    for (const queue of this.waiting.values()) yield* queue;
  }

  /** Webhooks whose queue is full: the poller need not fetch more of theirs. */
  saturated(): number[] {
    return [...this.waiting]
      .filter(([, q]) => q.length >= this.limits.waitingPerWebhook)
      .map(([id]) => id);
  }

  has(id: string): boolean {
    return this.known.has(id);
  }

  /** Deliveries queued or running. */
  get size(): number {
    return this.known.size;
  }

  get inFlight(): number {
    return this.running;
  }

  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    while (!this.stopped && this.running < this.limits.global) {
      const next = this.takeNext();
      if (!next) return;
      this.start(next);
    }
  }

  /** The next delivery of the first webhook in turn that has one waiting and a free slot. */
  private takeNext(): J | null {
    const candidates = this.turn.length;
    for (let i = 0; i < candidates; i++) {
      const webhookId = this.turn.shift()!;
      const queue = this.waiting.get(webhookId);
      if (!queue || queue.length === 0) {
        this.waiting.delete(webhookId);
        continue;
      }
      if ((this.active.get(webhookId) ?? 0) >= this.limits.perWebhook) {
        this.turn.push(webhookId);
        continue;
      }
      const next = queue.shift()!;
      if (queue.length > 0) this.turn.push(webhookId);
      else this.waiting.delete(webhookId);
      return next;
    }
    return null;
  }

  private start(delivery: J): void {
    this.running += 1;
    this.active.set(delivery.webhookId, (this.active.get(delivery.webhookId) ?? 0) + 1);
    void this.work(delivery)
      .catch(() => undefined)
      .finally(() => {
        this.running -= 1;
        const left = (this.active.get(delivery.webhookId) ?? 1) - 1;
        if (left === 0) this.active.delete(delivery.webhookId);
        else this.active.set(delivery.webhookId, left);
        this.known.delete(delivery.id);
        this.requeueTurn(delivery.webhookId);
        this.pump();
      });
  }

  /** A webhook that was skipped for lack of slots gets its turn back. */
  private requeueTurn(webhookId: number): void {
    if (this.waiting.has(webhookId) && !this.turn.includes(webhookId)) this.turn.push(webhookId);
  }
}
