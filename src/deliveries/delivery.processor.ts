import { Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DelayedError, Job } from 'bullmq';
import { Env } from '../config/env.validation';
import { BullMqDeliveryQueue, DELIVERY_QUEUE } from './bullmq-delivery-queue';
import { DeliveryAttemptsService } from './delivery-attempts.service';
import { DeliveryJob } from './delivery-job';
import { EndpointSlots } from './endpoint-slots';

const BUSY_WEBHOOK_DELAY_MS = 250;

/**
 * A BullMQ delivery worker. Each job is one attempt, sent from the job's own data. A job whose webhook
 * is at its bound in this worker waits a little for a slot (see endpoint-slots.ts); one that gets none
 * is put back, delayed, instead of holding a slot the other webhooks need.
 */
@Processor(DELIVERY_QUEUE)
export class DeliveryProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('DeliveryWorker');
  private readonly slots: EndpointSlots;
  private readonly concurrency: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly attempts: DeliveryAttemptsService,
    private readonly queue: BullMqDeliveryQueue,
    config: ConfigService<Env, true>,
  ) {
    super();
    const perWebhook = config.get('WEBHOOK_PER_ENDPOINT_CONCURRENCY', { infer: true });
    this.slots = new EndpointSlots(perWebhook, perWebhook);
    this.concurrency = config.get('WEBHOOK_CONCURRENCY', { infer: true });
    this.timeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.concurrency;
    this.worker.on('error', (error: Error) => this.logger.error(`Redis: ${error.message}`));
  }

  /** Jobs in hand finish, and their outcomes are written, while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<DeliveryJob>, token?: string): Promise<void> {
    const { id, webhookId } = job.data;
    if (!(await this.slots.take(webhookId, BUSY_WEBHOOK_DELAY_MS))) {
      const away = this.slots.busyDelayMs(webhookId, BUSY_WEBHOOK_DELAY_MS, this.timeoutMs);
      await job.moveToDelayed(
        Date.now() + away + Math.floor(Math.random() * BUSY_WEBHOOK_DELAY_MS),
        token,
      );
      throw new DelayedError();
    }
    let holding = true;
    const release = (durationMs?: number) => {
      if (holding) this.slots.release(webhookId, durationMs);
      holding = false;
    };
    try {
      const attempted = await this.attempts.attempt(job.data, { trigger: 'auto', retry: true });
      // The slot bounds requests in flight to the endpoint: it is free once the answer is in, while
      // the outcome waits for its group commit.
      release(attempted?.result.duration_ms);
      if (!attempted) return;
      await attempted.recorded;
      const { result } = attempted;
      if (result.status === 'pending' && result.next_attempt_at) {
        // The retry claims its delivery again: its lease ended when this outcome was written.
        const retry: DeliveryJob = {
          ...job.data,
          attempts: result.attempt,
          status: 'pending',
          nextAttemptAt: result.next_attempt_at.getTime(),
          leaseUntil: null,
        };
        await this.queue.add([{ job: retry, at: result.next_attempt_at }]);
      }
    } catch (error) {
      this.logger.error(`Delivery ${id} could not be attempted: ${(error as Error).message}`);
    } finally {
      release();
    }
  }
}
