import { EventEmitter2 } from '@nestjs/event-emitter';
import type { TransactionService } from '../../database/transaction.service';
import type { Webhook } from '../../webhooks/entities/webhook.entity';
import { DeliveryReleases } from './delivery-releases';
import type { OperatorAlerts } from './operator-alerts';
import { Outcome, OutcomeRecorder } from './outcome-recorder';
import type { EndpointStates } from '../pacing/endpoint-states';
import type { WebhookHealth } from './webhook-health';

function outcome(i: number): Outcome {
  return {
    deliveryId: `d-${i}`,
    event: 'ticket.created',
    eventId: `e-${i}`,
    webhook: { id: 1 } as Webhook,
    attempt: 1,
    trigger: 'auto',
    outcome: {
      success: true,
      status_code: 200,
      response: 'OK',
      error_code: null,
      error: null,
      duration_ms: 1,
      retry_after_ms: null,
    },
    status: 'succeeded',
    nextAttemptAt: null,
    deliveredAt: new Date(),
    stream: null,
    gone: false,
    at: new Date(),
  };
}

describe('OutcomeRecorder back-pressure', () => {
  it('holds new attempts while 1,000 outcomes are unwritten, and lets them go once written', async () => {
    // A database that writes nothing until told to.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const batches: number[] = [];
    const tx = {
      // Each batch "writes" once the gate opens, releasing no ordered delivery.
      run: async () => {
        await gate;
        batches.push(1);
        return [];
      },
    } as unknown as TransactionService;
    const recorder = new OutcomeRecorder(
      tx,
      {} as WebhookHealth,
      {} as OperatorAlerts,
      new DeliveryReleases(new EventEmitter2()),
      {} as EndpointStates,
    );

    const written = Array.from({ length: 999 }, (_, i) => recorder.record(outcome(i)));
    await recorder.room(); // 999 unwritten: room for one more
    written.push(recorder.record(outcome(999)));

    let roomy = false;
    const room = recorder.room().then(() => (roomy = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(roomy).toBe(false);

    open();
    await Promise.all(written);
    await room;
    expect(roomy).toBe(true);
    expect(batches.length).toBe(4); // 1,000 outcomes in batches of at most 250
  });
});
