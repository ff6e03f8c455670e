import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { Batcher } from '../../common/batcher';
import { Env } from '../../config/env.validation';
import { TransactionService } from '../../database/transaction.service';
import { gateOf, inFlightAllowed, slowdownPauseMs } from './endpoint-breaker';
import { EndpointStates } from './endpoint-states';
import { Deferral, deferRows } from './pacing-rows';
import { SharedRateLimiter } from './shared-rate-limiter';
import { sendInterval } from './rate-window';

/** A place among an endpoint's requests in flight in this process; given back when the answer is in. */
export interface Pass {
  release(): void;
}

/** Not now: the delivery waits in the database until then (epoch ms). */
export interface Deferred {
  deferUntil: number;
  reason: 'paused' | 'circuit' | 'slowed' | 'rate';
}

const DEFER_BATCH = 250;
/** How long an attempt that found no send left this instant waits for the next in memory (ms). */
const NEAR_MISS_MS = 250;

/**
 * What the attempt asks before it sends (attempt/delivery-attempts.service.ts): may this delivery go
 * to its endpoint now? An automatic attempt waits while the endpoint is paused or its circuit open
 * (one probe per interval), while a slowed endpoint has all the requests in flight it may have, and
 * while its webhook's `rate_limit_per_second` is spent. Waiting means the delivery's row is pushed out
 * (its attempts untouched, its lease released), never a promise held in memory. An operator's
 * attempt (test send, redelivery) goes whatever the state, but within the rate: it waits its turn.
 */
@Injectable()
export class EndpointPacing {
  private readonly perWebhook: number;
  private readonly inFlight = new Map<number, number>();
  /** Per rate-limited webhook: the next free place this process hands out to deliveries it defers. */
  private readonly horizon = new Map<number, number>();
  private readonly deferrals: Batcher<Deferral, void>;

  constructor(
    private readonly states: EndpointStates,
    private readonly limiter: SharedRateLimiter,
    tx: TransactionService,
    config: ConfigService<Env, true>,
  ) {
    this.perWebhook = config.get('WEBHOOK_PER_ENDPOINT_CONCURRENCY', { infer: true });
    this.deferrals = new Batcher<Deferral, void>(async (items) => {
      await tx.run((m) => deferRows(m, items, new Date()), 'background');
      return items.map(() => ({ value: undefined }));
    }, DEFER_BATCH);
  }

  /** The endpoint's state lets this attempt go (with a pass to give back), or it waits. */
  async admit(webhookId: number, trigger: 'auto' | 'manual'): Promise<Pass | Deferred> {
    if (trigger === 'manual') return this.pass(webhookId);
    const state = await this.states.current(webhookId);
    const now = Date.now();
    const gate = gateOf(state, now);
    if ('waitUntil' in gate)
      return {
        deferUntil: gate.waitUntil,
        reason: state && state.circuit !== 'closed' ? 'circuit' : 'paused',
      };
    if ('probe' in gate && !(await this.states.takeProbe(webhookId)))
      return { deferUntil: now + this.states.settings.probeIntervalMs, reason: 'circuit' };
    if (
      state &&
      state.slowLevel > 0 &&
      (this.inFlight.get(webhookId) ?? 0) >= inFlightAllowed(this.perWebhook, state.slowLevel)
    ) {
      const wait = Math.min(slowdownPauseMs(1, this.states.settings), 1000);
      return { deferUntil: now + wait + Math.floor(Math.random() * wait), reason: 'slowed' };
    }
    return this.pass(webhookId);
  }

  /**
   * Takes one of the webhook's sends this second, just before the request goes; one due within
   * NEAR_MISS_MS is waited for. An automatic attempt that finds none sooner is deferred to a place after those this process deferred already (one per send
   * interval), so that a backlog comes back about as fast as it may go, not all at once.
   */
  async takeRate(
    webhookId: number,
    limit: number | null,
    trigger: 'auto' | 'manual',
  ): Promise<true | Deferred> {
    if (!limit) return true;
    for (;;) {
      const verdict = await this.limiter.tryAcquire(webhookId, limit);
      if (verdict.ok) return true;
      // A near miss (the spacing's next place is a moment away) waits for it here, holding the slot
      // it has: sent to the back of the line instead, its place would go unused and a backlog would
      // drain at about half the rate.
      if (trigger === 'manual' || verdict.retryInMs <= NEAR_MISS_MS) await sleep(verdict.retryInMs);
      else
        return { deferUntil: this.placeAfter(webhookId, limit, verdict.retryInMs), reason: 'rate' };
    }
  }

  /** Makes the delivery wait in the database until `until`; resolves once written. */
  defer(job: { id: string; leaseUntil: number | null }, until: number): Promise<void> {
    return this.deferrals.submit({ id: job.id, until: new Date(until), heldUntil: job.leaseUntil });
  }

  private placeAfter(webhookId: number, limit: number, retryInMs: number): number {
    const earliest = Date.now() + retryInMs;
    const next = this.horizon.get(webhookId);
    const at = next !== undefined && next > earliest ? next : earliest;
    this.horizon.set(webhookId, at + sendInterval(limit));
    return Math.round(at);
  }

  private pass(webhookId: number): Pass {
    this.inFlight.set(webhookId, (this.inFlight.get(webhookId) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.inFlight.get(webhookId) ?? 1) - 1;
        if (left <= 0) this.inFlight.delete(webhookId);
        else this.inFlight.set(webhookId, left);
      },
    };
  }
}
