/**
 * What an endpoint's answers do to its shared state, as pure functions (the rows are in
 * endpoint-states.ts): a `Retry-After` on a 429 or 503 pauses the whole endpoint; 429/502/503/504
 * without one slow it (a growing pause, fewer requests in flight) until successes bring it back;
 * N failures in a row open its circuit, which then lets one probe through per interval, and the
 * probe's success closes it.
 */
export type Circuit = 'closed' | 'open' | 'half_open';

export interface EndpointState {
  webhookId: number;
  circuit: Circuit;
  consecutiveFailures: number;
  /** 0: full speed. Each slowing answer adds one, each success takes one away. */
  slowLevel: number;
  /** Epoch ms: no automatic attempt before then. */
  pausedUntil: number | null;
  pauseReason: string | null;
  openedAt: number | null;
  /** While the circuit is open: when the next probe may go. */
  nextProbeAt: number | null;
}

export interface PacingSettings {
  retryAfterMaxMs: number;
  /** 0: no breaker. */
  breakerFailures: number;
  probeIntervalMs: number;
  slowdownBaseMs: number;
  slowdownMaxMs: number;
}

/** One attempt's answer, as pacing reads it. */
export interface AttemptSummary {
  success: boolean;
  statusCode: number | null;
  retryAfterMs: number | null;
  at: number;
}

export const SLOWING_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const PAUSING_STATUSES: ReadonlySet<number> = new Set([429, 503]);
export const MAX_SLOW_LEVEL = 8;

export function healthyState(webhookId: number): EndpointState {
  return {
    webhookId,
    circuit: 'closed',
    consecutiveFailures: 0,
    slowLevel: 0,
    pausedUntil: null,
    pauseReason: null,
    openedAt: null,
    nextProbeAt: null,
  };
}

/** Nothing to remember: the endpoint's row can go. */
export function isHealthy(s: EndpointState, now: number): boolean {
  return (
    s.circuit === 'closed' &&
    s.consecutiveFailures === 0 &&
    s.slowLevel === 0 &&
    (s.pausedUntil === null || s.pausedUntil <= now)
  );
}

/** How a webhook's health and `/metrics` name its state right now. */
export function stateName(
  s: EndpointState,
  now: number,
): 'closed' | 'open' | 'half_open' | 'paused' | 'slowed' {
  if (s.circuit === 'open')
    return s.nextProbeAt !== null && s.nextProbeAt <= now ? 'half_open' : 'open';
  if (s.circuit === 'half_open') return 'half_open';
  if (s.pausedUntil !== null && s.pausedUntil > now) return 'paused';
  if (s.slowLevel > 0) return 'slowed';
  return 'closed';
}

/** A slowed endpoint's pause after its `level`th slowing answer in a row: doubling, capped. */
export function slowdownPauseMs(level: number, settings: PacingSettings): number {
  if (level <= 0) return 0;
  return Math.min(settings.slowdownMaxMs, settings.slowdownBaseMs * 2 ** (level - 1));
}

/** Requests in flight a process allows a slowed endpoint: halved per level, at least one. */
export function inFlightAllowed(perWebhook: number, slowLevel: number): number {
  return Math.max(1, Math.floor(perWebhook / 2 ** Math.min(slowLevel, 16)));
}

export interface Transition {
  state: EndpointState;
  /** The circuit opened (closed → open): the one operator alert. */
  opened: boolean;
  /** The circuit closed again: its backlog may come forward. */
  closed: boolean;
  /** A new pause began or grew: the endpoint's pending deliveries move to `state.pausedUntil`. */
  paused: boolean;
}

/** The state after a batch of attempts, taken in the order they were answered. */
export function afterAttempts(
  before: EndpointState,
  attempts: AttemptSummary[],
  settings: PacingSettings,
): Transition {
  const s = { ...before };
  let opened = false;
  let closed = false;
  let paused = false;
  const pauseUntil = (until: number, reason: string) => {
    if (s.pausedUntil !== null && s.pausedUntil >= until) return;
    s.pausedUntil = until;
    s.pauseReason = reason;
    paused = true;
  };
  for (const a of [...attempts].sort((x, y) => x.at - y.at)) {
    if (a.success) {
      s.consecutiveFailures = 0;
      s.slowLevel = Math.max(0, s.slowLevel - 1);
      if (s.circuit !== 'closed') {
        s.circuit = 'closed';
        s.openedAt = null;
        s.nextProbeAt = null;
        closed = true;
        opened = false;
      }
      continue;
    }
    s.consecutiveFailures += 1;
    const code = a.statusCode ?? 0;
    if (PAUSING_STATUSES.has(code) && a.retryAfterMs !== null) {
      const ms = Math.min(a.retryAfterMs, settings.retryAfterMaxMs);
      pauseUntil(a.at + ms, `HTTP ${code} with Retry-After: paused for ${Math.ceil(ms / 1000)} s`);
    } else if (SLOWING_STATUSES.has(code)) {
      s.slowLevel = Math.min(MAX_SLOW_LEVEL, s.slowLevel + 1);
      const ms = slowdownPauseMs(s.slowLevel, settings);
      pauseUntil(a.at + ms, `HTTP ${code}: slowed down, paused for ${Math.ceil(ms / 1000)} s`);
    }
    if (s.circuit === 'half_open') {
      s.circuit = 'open';
      s.nextProbeAt = a.at + settings.probeIntervalMs;
    } else if (
      s.circuit === 'closed' &&
      settings.breakerFailures > 0 &&
      s.consecutiveFailures >= settings.breakerFailures
    ) {
      s.circuit = 'open';
      s.openedAt = a.at;
      s.nextProbeAt = a.at + settings.probeIntervalMs;
      opened = true;
      closed = false;
    }
  }
  return { state: s, opened, closed, paused };
}

/**
 * Whether an automatic attempt may go now, and if not, until when it waits: a pause, an open circuit
 * before its next probe. An open circuit whose probe is due answers `probe`: the caller takes the probe
 * (once, for every process) or waits for the next.
 */
export function gateOf(
  s: EndpointState | undefined,
  now: number,
): { go: true } | { probe: true } | { waitUntil: number } {
  if (!s) return { go: true };
  if (s.circuit !== 'closed') {
    if (s.nextProbeAt !== null && s.nextProbeAt > now) return { waitUntil: s.nextProbeAt };
    return { probe: true };
  }
  if (s.pausedUntil !== null && s.pausedUntil > now) return { waitUntil: s.pausedUntil };
  return { go: true };
}
