import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Env } from '../../config/env.validation';
import { TransactionService } from '../../database/transaction.service';
import {
  afterAttempts,
  AttemptSummary,
  EndpointState,
  isHealthy,
  PacingSettings,
} from './endpoint-breaker';
import {
  bringForward,
  deleteState,
  holdPendingUntil,
  lockState,
  selectStates,
  takeProbeRow,
  writeState,
} from './pacing-rows';

/** How stale a process's copy of the endpoints' states may be (a state it writes itself is fresh). */
const SNAPSHOT_TTL_MS = 250;
const SLOWDOWN_BASE_MS = 1000;

/** What pacing reads of an attempt's outcome (outcomes/outcome-recorder.ts's Outcome has it all). */
export interface PacedOutcome {
  webhook: { id: number };
  outcome: {
    success: boolean;
    status_code: number | null;
    retry_after_ms: number | null;
    error_code: string | null;
  };
  at: Date;
}

/** A circuit that this batch of outcomes opened: the operator alert's content. */
export interface OpenedCircuit {
  webhookId: number;
  consecutiveFailures: number;
  openedAt: Date;
  nextProbeAt: Date;
}

export function pacingSettings(config: ConfigService<Env, true>): PacingSettings {
  const slowdownMaxMs = config.get('WEBHOOK_SLOWDOWN_MAX_MS', { infer: true });
  return {
    retryAfterMaxMs: config.get('WEBHOOK_RETRY_AFTER_MAX_SECONDS', { infer: true }) * 1000,
    breakerFailures: config.get('WEBHOOK_BREAKER_FAILURES', { infer: true }),
    probeIntervalMs: config.get('WEBHOOK_BREAKER_PROBE_INTERVAL_MS', { infer: true }),
    slowdownBaseMs: Math.min(SLOWDOWN_BASE_MS, slowdownMaxMs),
    slowdownMaxMs,
  };
}

/**
 * Each endpoint's shared state (paused, slowed, circuit), in `webhook_endpoint_states`: written with
 * the outcomes that change it, read by every delivering process from a copy at most SNAPSHOT_TTL_MS
 * old. A pause or an open circuit also moves the endpoint's pending deliveries in the database, so
 * no process claims them before their time; a closing circuit brings its backlog forward.
 */
@Injectable()
export class EndpointStates {
  private readonly logger = new Logger('EndpointPacing');
  readonly settings: PacingSettings;
  private snapshot = new Map<number, EndpointState>();
  /** States this process wrote (undefined: healthy again), and when: a read begun before must not undo them. */
  private readonly written = new Map<number, { state: EndpointState | undefined; at: number }>();
  private readAt = 0;
  private reading: Promise<void> | null = null;

  constructor(
    private readonly tx: TransactionService,
    config: ConfigService<Env, true>,
  ) {
    this.settings = pacingSettings(config);
  }

  /** The endpoint's state as last read (undefined: healthy). */
  async current(webhookId: number): Promise<EndpointState | undefined> {
    if (Date.now() - this.readAt > SNAPSHOT_TTL_MS) await this.refresh();
    return this.snapshot.get(webhookId);
  }

  /** The states of these webhooks' endpoints (those with one), read now. */
  async of(webhookIds: number[]): Promise<EndpointState[]> {
    return this.tx.read((m) => selectStates(m, webhookIds));
  }

  private refresh(): Promise<void> {
    const startedAt = Date.now();
    this.reading ??= this.tx
      .read((m) => selectStates(m))
      .then((states) => {
        const snapshot = new Map(states.map((s) => [s.webhookId, s]));
        for (const [id, w] of this.written) {
          if (w.at < startedAt) this.written.delete(id);
          else if (w.state) snapshot.set(id, w.state);
          else snapshot.delete(id);
        }
        this.snapshot = snapshot;
        this.readAt = Date.now();
      })
      .catch((error: Error) =>
        this.logger.error(`Reading endpoint states failed: ${error.message}`),
      )
      .finally(() => (this.reading = null));
    return this.reading;
  }

  /** Takes an open circuit's probe for this process, if nobody has since it came due. */
  async takeProbe(webhookId: number): Promise<boolean> {
    const now = new Date();
    const next = new Date(now.getTime() + this.settings.probeIntervalMs);
    const got = await this.tx.run((m) => takeProbeRow(m, webhookId, now, next), 'background');
    const s = this.snapshot.get(webhookId);
    if (s) this.remember({ ...s, circuit: 'half_open', nextProbeAt: next.getTime() });
    return got;
  }

  /** A state this process wrote: seen by its next attempts at once, not undone by an older read. */
  private remember(s: EndpointState): void {
    const state = isHealthy(s, Date.now()) ? undefined : s;
    if (state) this.snapshot.set(s.webhookId, state);
    else this.snapshot.delete(s.webhookId);
    this.written.set(s.webhookId, { state, at: Date.now() });
  }

  /**
   * Applies a batch of outcomes with the recorder's transaction, endpoints in id order (against
   * deadlocks); answers the circuits it opened. Moving the endpoints' pending deliveries happens after
   * the commit, in a transaction of its own: it must not hold up the outcomes' write.
   */
  async record(m: EntityManager, outcomes: PacedOutcome[]): Promise<OpenedCircuit[]> {
    const byWebhook = new Map<number, AttemptSummary[]>();
    for (const o of outcomes) {
      if (o.outcome.error_code === 'interrupted') continue;
      const list = byWebhook.get(o.webhook.id) ?? [];
      list.push({
        success: o.outcome.success,
        statusCode: o.outcome.status_code,
        retryAfterMs: o.outcome.retry_after_ms,
        at: o.at.getTime(),
      });
      byWebhook.set(o.webhook.id, list);
    }
    const opened: OpenedCircuit[] = [];
    const moves: ((m: EntityManager) => Promise<void>)[] = [];
    const written: EndpointState[] = [];
    for (const id of [...byWebhook.keys()].sort((a, b) => a - b)) {
      const attempts = byWebhook.get(id)!;
      // A healthy endpoint that only succeeded has nothing to write: the common case costs no query.
      if (!this.snapshot.has(id) && attempts.every((a) => a.success)) continue;
      const before = await lockState(m, id, this.tx.isSqlite);
      if (!before) continue;
      const t = afterAttempts(before, attempts, this.settings);
      const now = Date.now();
      if (isHealthy(t.state, now)) await deleteState(m, id);
      else await writeState(m, t.state);
      written.push(t.state);
      if (t.opened)
        opened.push({
          webhookId: id,
          consecutiveFailures: t.state.consecutiveFailures,
          openedAt: new Date(t.state.openedAt!),
          nextProbeAt: new Date(t.state.nextProbeAt!),
        });
      const holdUntil = Math.max(
        t.state.circuit !== 'closed' ? (t.state.nextProbeAt ?? 0) : 0,
        t.paused ? (t.state.pausedUntil ?? 0) : 0,
      );
      if ((t.paused || t.opened) && holdUntil > now)
        moves.push((w) => holdPendingUntil(w, id, new Date(holdUntil), new Date()));
      if (t.closed) {
        // What waited for the circuit: up to a probe interval past the time it closed.
        const upTo = new Date(now + this.settings.probeIntervalMs);
        moves.push((w) => bringForward(w, id, upTo, new Date()));
      }
    }
    this.tx.afterCommit(m, () => {
      for (const s of written) this.remember(s);
      if (moves.length > 0) void this.move(moves);
    });
    return opened;
  }

  private async move(moves: ((m: EntityManager) => Promise<void>)[]): Promise<void> {
    try {
      await this.tx.run(async (m) => {
        for (const move of moves) await move(m);
      }, 'background');
    } catch (error) {
      // Each process still holds a paused endpoint's deliveries back when it takes them.
      this.logger.warn(
        `Moving an endpoint's pending deliveries failed: ${(error as Error).message}`,
      );
    }
  }
}
