import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { performance } from 'node:perf_hooks';
import { Env } from '../config/env.validation';
import { AttemptErrorCode } from './entities/webhook-delivery-attempt.entity';
import { Http1Client, Http1Error, Origin, postHead } from './http1-client';
import { parseRetryAfter } from './retry-schedule';
import { GuardRefusal, TargetGuard } from './target-guard';

export interface OutgoingRequest {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the request (a stopping process's grace ended): the outcome is `interrupted`. */
  signal?: AbortSignal;
}

/** What one HTTP attempt came to. Never holds the secret. */
export interface AttemptOutcome {
  success: boolean;
  status_code: number | null;
  response: string | null;
  error_code: AttemptErrorCode | null;
  error: string | null;
  duration_ms: number;
  /** From `Retry-After` on a 429 or 503. */
  retry_after_ms: number | null;
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

/** A webhook URL as the sender uses it: refused by the guard, or where and what to POST. */
type Target =
  | { refusal: GuardRefusal; origin?: never }
  | {
      refusal: null;
      origin: Origin;
      host: string;
      path: string;
      /** `Basic …` from the URL's user and password, as Node sends them; null without. */
      authorization: string | null;
    };

/** URLs whose check and parse are kept; the map starts over when full. */
const TARGET_CACHE_SIZE = 1000;

/** Posts signed bodies over keep-alive connections; redirects are not followed. */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly client: Http1Client;
  private readonly maxResponseBytes: number;
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly guard: TargetGuard,
    config: ConfigService<Env, true>,
  ) {
    this.client = new Http1Client({ lookup: guard.lookup, maxSockets: 256 });
    this.maxResponseBytes = config.get('WEBHOOK_RESPONSE_MAX_BYTES', { infer: true });
  }

  /** After every attempt in flight has finished (they are awaited before shutdown). */
  onApplicationShutdown(): void {
    this.client.close();
  }

  /**
   * One POST on Homa's own HTTP/1.1 client (see http1-client.ts: ~30 µs of CPU per POST against ~100
   * for `node:http`, and axios's 325–540 before it). It does only what the contract needs: no
   * redirects, one deadline for the whole exchange, at most `maxResponseBytes` of the response kept.
   */
  async send(request: OutgoingRequest): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (request.signal?.aborted) return interrupted(request.signal, elapsed());
    const target = this.target(request.url);
    if (target.refusal) return failure(target.refusal.code, target.refusal.message, elapsed());
    let headers = request.headers;
    if (target.authorization && !Object.keys(headers).some((h) => /^authorization$/i.test(h)))
      headers = { ...headers, Authorization: target.authorization };
    let head: string;
    try {
      head = postHead(target.host, target.path, headers, request.body.length);
    } catch (error) {
      // An invalid header name or value, found before anything is sent.
      return fromError(error, false, request.timeoutMs, elapsed());
    }
    try {
      const response = await this.client.post(
        target.origin,
        head,
        request.body,
        this.maxResponseBytes,
        request.timeoutMs,
        request.signal,
      );
      return fromResponse(response.status, response.headers, response.body, elapsed());
    } catch (error) {
      if (request.signal?.aborted) return interrupted(request.signal, elapsed());
      const timedOut = error instanceof Http1Error && error.timedOut;
      return fromError(error, timedOut, request.timeoutMs, elapsed());
    }
  }

  /**
   * The guard's verdict on a URL's scheme and literal address, and where and what to POST, worked
   * out once per URL: both depend on the URL and the configuration only (parsing it and checking the
   * address against each blocked range cost ~5 % of the delivery thread's CPU per attempt). Host names
   * are still checked at every connect, by the client's lookup.
   */
  private target(url: string): Target {
    let target = this.targets.get(url);
    if (target) return target;
    const refusal = this.guard.checkUrl(url);
    if (refusal) target = { refusal };
    else {
      const parsed = new URL(url);
      const https = parsed.protocol === 'https:';
      target = {
        refusal: null,
        origin: {
          https,
          // WHATWG keeps an IPv6 literal's brackets; net.connect takes the address alone.
          hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: Number(parsed.port) || (https ? 443 : 80),
        },
        host: parsed.host,
        path: `${parsed.pathname}${parsed.search}`,
        authorization:
          parsed.username || parsed.password
            ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
            : null,
      };
    }
    if (this.targets.size >= TARGET_CACHE_SIZE) this.targets.clear();
    this.targets.set(url, target);
    return target;
  }
}

function failure(code: AttemptErrorCode, message: string, duration_ms: number): AttemptOutcome {
  return {
    success: false,
    status_code: null,
    response: null,
    error_code: code,
    error: message,
    duration_ms,
    retry_after_ms: null,
  };
}

function interrupted(signal: AbortSignal, duration_ms: number): AttemptOutcome {
  const reason: unknown = signal.reason;
  return failure(
    'interrupted',
    reason instanceof Error ? reason.message : 'Interrupted before the receiver answered',
    duration_ms,
  );
}

function fromResponse(
  status: number,
  headers: Record<string, string>,
  response: string,
  duration_ms: number,
): AttemptOutcome {
  const success = status >= 200 && status < 300;
  const header = (name: string): string | undefined => headers[name];
  let error: string | null = null;
  if (!success) {
    error =
      status >= 300 && status < 400
        ? `HTTP ${status}: redirects are not followed (Location: ${header('location') ?? 'none'})`
        : `HTTP ${status}`;
  }
  return {
    success,
    status_code: status,
    response,
    error_code: success ? null : 'http_status',
    error,
    duration_ms,
    retry_after_ms:
      status === 429 || status === 503 ? parseRetryAfter(header('retry-after')) : null,
  };
}

function fromError(
  error: unknown,
  aborted: boolean,
  timeoutMs: number,
  duration_ms: number,
): AttemptOutcome {
  if (aborted) return failure('timeout', `No response within ${timeoutMs} ms`, duration_ms);
  const code = (error as NodeJS.ErrnoException | null)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EBLOCKEDTARGET') return failure('blocked_target', message, duration_ms);
  if (code === 'ERR_INVALID_URL') return failure('invalid_target', message, duration_ms);
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
    return failure('timeout', message, duration_ms);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return failure('dns', message, duration_ms);
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) {
    return failure('tls', message, duration_ms);
  }
  return failure('connection', message || code || 'connection failed', duration_ms);
}
