import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  Agent as HttpAgent,
  IncomingHttpHeaders,
  IncomingMessage,
  request as httpRequest,
  RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { urlToHttpOptions } from 'node:url';
import { Env } from '../config/env.validation';
import { AttemptErrorCode } from './entities/webhook-delivery-attempt.entity';
import { parseRetryAfter } from './retry-schedule';
import { GuardRefusal, TargetGuard } from './target-guard';

export interface OutgoingRequest {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
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

/** A webhook URL as the sender uses it: refused by the guard, or parsed into request options. */
type Target =
  | { refusal: GuardRefusal; https?: never; options?: never }
  | { refusal: null; https: boolean; options: RequestOptions };

/** URLs whose check and parse are kept; the map starts over when full. */
const TARGET_CACHE_SIZE = 1000;

/** Posts signed bodies over keep-alive connections; redirects are not followed. */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly maxResponseBytes: number;
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly guard: TargetGuard,
    config: ConfigService<Env, true>,
  ) {
    const lookup = guard.lookup;
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256, lookup });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256, lookup });
    this.maxResponseBytes = config.get('WEBHOOK_RESPONSE_MAX_BYTES', { infer: true });
  }

  /** After every attempt in flight has finished (they are awaited before shutdown). */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * One POST on Node's own client. axios cost 3–4× the CPU of `node:http` per request here (325–540
   * against 83–133 µs, measured with the same agent and receiver), which was a quarter of Homa's CPU
   * per delivery; this path does only what the contract needs: no redirects, one deadline for the
   * whole exchange, at most `maxResponseBytes` of the response kept.
   */
  send(request: OutgoingRequest): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const target = this.target(request.url);
    if (target.refusal)
      return Promise.resolve(failure(target.refusal.code, target.refusal.message, elapsed()));

    return new Promise<AttemptOutcome>((resolve) => {
      let req: ReturnType<typeof httpRequest>;
      try {
        const https = target.https;
        req = (https ? httpsRequest : httpRequest)({
          ...target.options,
          method: 'POST',
          agent: https ? this.httpsAgent : this.httpAgent,
          headers: { ...request.headers, 'Content-Length': String(request.body.length) },
        });
      } catch (error) {
        // An invalid URL or header value, found before anything is sent.
        return resolve(fromError(error, false, request.timeoutMs, elapsed()));
      }
      let timedOut = false;
      let settled = false;
      const finish = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const fail = (error: unknown) =>
        finish(fromError(error, timedOut, request.timeoutMs, elapsed()));
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy();
        fail(null);
      }, request.timeoutMs);
      req.on('error', fail);
      req.on('response', (res) => {
        readLimited(res, this.maxResponseBytes).then(
          (text) => finish(fromResponse(res.statusCode ?? 0, res.headers, text, elapsed())),
          fail,
        );
      });
      req.end(request.body);
    });
  }

  /**
   * The guard's verdict on a URL's scheme and literal address, and its request options, worked out
   * once per URL: both depend on the URL and the configuration only (parsing it and checking the
   * address against each blocked range cost ~5 % of the delivery thread's CPU per attempt). Host names
   * are still checked at every connect, by the agents' lookup.
   */
  private target(url: string): Target {
    let target = this.targets.get(url);
    if (target) return target;
    const refusal = this.guard.checkUrl(url);
    if (refusal) target = { refusal };
    else {
      const options = urlToHttpOptions(new URL(url));
      target = { refusal: null, https: options.protocol === 'https:', options };
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

function fromResponse(
  status: number,
  headers: IncomingHttpHeaders,
  response: string,
  duration_ms: number,
): AttemptOutcome {
  const success = status >= 200 && status < 300;
  const header = (name: string) => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
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

/**
 * Reads at most `max` bytes of a response body, then lets the rest go (the connection with it). Rejects
 * if the connection breaks before the body ends.
 */
function readLimited(res: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const text = () => Buffer.concat(chunks).subarray(0, max).toString('utf8');
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total > max) {
        res.destroy();
        resolve(`${text()}…[truncated at ${max} bytes]`);
      }
    });
    res.on('end', () => resolve(text()));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete)
        reject(Object.assign(new Error('The response ended early'), { code: 'ECONNRESET' }));
    });
  });
}
