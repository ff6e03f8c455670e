import { HttpService } from '@nestjs/axios';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AxiosError, AxiosResponse } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Env } from '../config/env.validation';
import { AttemptErrorCode } from './entities/webhook-delivery-attempt.entity';
import { parseRetryAfter } from './retry-schedule';
import { TargetGuard } from './target-guard';

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

/** Posts signed bodies over keep-alive connections; redirects are not followed. */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly maxResponseBytes: number;

  constructor(
    private readonly http: HttpService,
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

  async send(request: OutgoingRequest): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const invalid = this.guard.checkUrl(request.url);
    if (invalid) return failure(invalid.code, invalid.message, elapsed());

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), request.timeoutMs);
    try {
      const res: AxiosResponse<Readable> = await this.http.axiosRef.request<Readable>({
        method: 'POST',
        url: request.url,
        data: request.body,
        headers: request.headers,
        maxRedirects: 0,
        responseType: 'stream',
        validateStatus: () => true,
        signal: controller.signal,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        proxy: false,
        transformRequest: [(data: Buffer) => data],
      });
      const response = await readLimited(res.data, this.maxResponseBytes);
      return fromResponse(res, response, elapsed());
    } catch (error) {
      return fromError(error, controller.signal.aborted, request.timeoutMs, elapsed());
    } finally {
      clearTimeout(timer);
    }
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
  res: AxiosResponse<Readable>,
  response: string,
  duration_ms: number,
): AttemptOutcome {
  const status = res.status;
  const success = status >= 200 && status < 300;
  const header = (name: string) => {
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

function fromError(
  error: unknown,
  aborted: boolean,
  timeoutMs: number,
  duration_ms: number,
): AttemptOutcome {
  if (aborted) return failure('timeout', `No response within ${timeoutMs} ms`, duration_ms);
  const code = (error as AxiosError).code ?? (error as NodeJS.ErrnoException).code ?? '';
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

/** Reads at most `max` bytes of a response body, then lets the rest go. */
async function readLimited(stream: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    chunks.push(buf);
    total += buf.length;
    if (total > max) {
      truncated = true;
      stream.destroy();
      break;
    }
  }
  const text = Buffer.concat(chunks).subarray(0, max).toString('utf8');
  return truncated ? `${text}…[truncated at ${max} bytes]` : text;
}
