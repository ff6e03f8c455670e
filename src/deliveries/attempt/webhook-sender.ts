import { HttpService } from '@nestjs/axios';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AxiosHeaders, AxiosResponse } from 'axios';
import { Agent as HttpAgent, ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Env } from '../../config/env.validation';
import { AttemptErrorCode } from '../entities/webhook-delivery-attempt.entity';
import { EXCHANGE, outgoingHeaders, readBody, requestError } from './http-exchange';
import { parseRetryAfter } from '../retry-policy';
import { GuardRefusal, TargetGuard } from '../../network/target-guard';
import { ClientCertificateAgents, ClientCertificateRef } from './client-certificate-agents';

export interface OutgoingRequest {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the request (a stopping process's grace ended): the outcome is `interrupted`. */
  signal?: AbortSignal;
  /** Presented to an HTTPS receiver that asks for a client certificate (mutual TLS). */
  clientCertificate?: ClientCertificateRef | null;
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
  /** Nothing was sent and no retry would help (the webhook's template failed). */
  final?: boolean;
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

/** A webhook URL as the sender uses it: refused by the guard, or where to POST and as whom. */
type Target =
  | { refusal: GuardRefusal; url?: never }
  | {
      refusal: null;
      /** Without user info (axios would send it as Basic itself, over any Authorization header). */
      url: string;
      /** `Basic …` from the URL's user and password, as Node sends them; null without. */
      authorization: string | null;
    };

/** URLs whose check and parse are kept; the map starts over when full. */
const TARGET_CACHE_SIZE = 1000;

/**
 * Posts signed bodies with axios (`HttpService`) over keep-alive agents, one per scheme (Node keys
 * their pools by host and port), whose lookup is the target guard's: an address a name resolves to
 * is checked at every connect. No redirects, one deadline for the whole exchange, at most
 * `maxResponseBytes` of the response read.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly clientCertificateAgents: ClientCertificateAgents;
  private readonly maxResponseBytes: number;
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly http: HttpService,
    private readonly guard: TargetGuard,
    config: ConfigService<Env, true>,
  ) {
    // `timeout`: an unused connection is closed after 4 s (sooner when a server's Keep-Alive
    // announces less), before the usual 5 s after which servers such as Node's close it, so a
    // request is seldom written to a connection the server is closing. Requests are not timed by it.
    const agent = { keepAlive: true, maxSockets: 256, timeout: 4_000, lookup: guard.lookup };
    this.httpAgent = new HttpAgent(agent);
    this.httpsAgent = new HttpsAgent(agent);
    this.clientCertificateAgents = new ClientCertificateAgents(agent);
    this.maxResponseBytes = config.get('WEBHOOK_RESPONSE_MAX_BYTES', { infer: true });
  }

  /** After every attempt in flight has finished (they are awaited before shutdown). */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.clientCertificateAgents.destroyAll();
  }

  /**
   * One POST. The deadline (`timeoutMs`, from the call) covers the wait for a connection, connecting,
   * the response head and reading the body: a server that drips bytes or sends 1xx responses without
   * end is cut off then. A request is written once: neither axios nor node:http writes it again when
   * a reused connection closes under it (the attempt fails and the retry schedule takes over).
   */
  async send(request: OutgoingRequest): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (request.signal?.aborted) return interrupted(request.signal, elapsed());
    const target = this.target(request.url);
    if (target.refusal) return failure(target.refusal.code, target.refusal.message, elapsed());
    let headers: AxiosHeaders;
    try {
      headers = outgoingHeaders(request.headers, target.authorization);
    } catch (error) {
      // An invalid header name or value, found before anything is sent.
      return fromError(error, false, request.timeoutMs, elapsed());
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
    // A stopping process's grace ended: the exchange ends now, as at its deadline.
    const stop = () => deadline.abort();
    request.signal?.addEventListener('abort', stop, { once: true });
    let sent: ClientRequest | undefined;
    try {
      const response = await this.http.axiosRef.request<Readable>({
        ...EXCHANGE,
        url: target.url,
        data: request.body,
        headers,
        httpAgent: this.httpAgent,
        httpsAgent: request.clientCertificate
          ? this.clientCertificateAgents.agentFor(request.clientCertificate)
          : this.httpsAgent,
        signal: deadline.signal,
      });
      sent = response.request as ClientRequest;
      const body = await readBody(response.data, this.maxResponseBytes, deadline.signal);
      return fromResponse(response, body, elapsed());
    } catch (error) {
      if (request.signal?.aborted) return interrupted(request.signal, elapsed());
      // A body that breaks off ("aborted") may have been malformed: the parser told the request.
      const cause = (sent && requestError(sent)) ?? error;
      return fromError(cause, deadline.signal.aborted, request.timeoutMs, elapsed());
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', stop);
    }
  }

  /**
   * The guard's verdict on a URL's scheme and literal address, and where and as whom to POST, worked
   * out once per URL: both depend on the URL and the configuration only. Host names are still checked
   * at every connect, by the agents' lookup.
   */
  private target(url: string): Target {
    let target = this.targets.get(url);
    if (target) return target;
    const refusal = this.guard.checkUrl(url);
    if (refusal) target = { refusal };
    else {
      const parsed = new URL(url);
      const authorization =
        parsed.username || parsed.password
          ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
          : null;
      parsed.username = '';
      parsed.password = '';
      target = { refusal: null, url: parsed.href, authorization };
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
  res: AxiosResponse<Readable>,
  response: string,
  duration_ms: number,
): AttemptOutcome {
  const status = res.status;
  const success = status >= 200 && status < 300;
  // Node keeps the first of repeated Location and Retry-After headers.
  const header = (name: string): string | undefined => {
    const value: unknown = res.headers[name];
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

/** An exchange that failed: `aborted` when the deadline passed (whatever error that caused). */
function fromError(
  error: unknown,
  aborted: boolean,
  timeoutMs: number,
  duration_ms: number,
): AttemptOutcome {
  if (aborted) return failure('timeout', `No response within ${timeoutMs} ms`, duration_ms);
  // AxiosError keeps the code of the Node error under it (ECONNREFUSED, EBLOCKEDTARGET, HPE_…).
  const { code = '', message = String(error) } = (error ?? {}) as Partial<NodeJS.ErrnoException>;
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
