import * as Joi from 'joi';
import { ExpectedError } from '../common/expected-error';
import { parseCidrList } from './cidr-list';
import { parseEncryptionKeys } from './encryption-keys';
import { parseTrustProxy } from './trust-proxy';

/** Every environment variable Homa reads, validated once at start. */
export interface Env {
  NODE_ENV: string;
  PORT: number;
  /** `false`, `loopback`, CIDRs or a hop count: whose X-Forwarded-For names the client (trust-proxy.ts). */
  TRUST_PROXY: string;
  /** The bearer token `GET /metrics` asks for; unset: /metrics answers 403. */
  METRICS_TOKEN?: string;
  DATABASE_URL?: string;
  DATA_DIR: string;
  REDIS_URL?: string;
  DELIVERY_THREAD: boolean;
  /** OTLP/HTTP collector: spans are exported there (telemetry/tracing.ts); unset, nothing is. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  JWT_SECRET?: string;
  HOMA_ENCRYPTION_KEY?: string;
  JWT_EXPIRES_IN_SECONDS: number;
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  CLIENT_RATE_LIMIT: number;
  CLIENT_RATE_TTL_SECONDS: number;
  LOGIN_MAX_FAILURES: number;
  LOGIN_MAX_FAILURES_PER_ACCOUNT: number;
  LOGIN_MAX_FAILURES_PER_IP: number;
  LOGIN_FAILURE_WINDOW_SECONDS: number;
  AUDIT_LOG_RETENTION_DAYS: number;
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_RETRY_SCHEDULE: string;
  WEBHOOK_CONCURRENCY: number;
  WEBHOOK_PER_ENDPOINT_CONCURRENCY: number;
  WEBHOOK_RESPONSE_MAX_BYTES: number;
  WEBHOOK_ALLOWED_NETWORKS: string;
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean;
  WEBHOOK_POLL_INTERVAL_MS: number;
  WEBHOOK_AUTO_DISABLE_AFTER: string;
  WEBHOOK_DELIVERY_RETENTION_DAYS: number;
  WEBHOOK_RECONCILE_INTERVAL_MS: number;
  /** Endpoint pacing (src/deliveries/pacing/): the longest pause a `Retry-After` may ask for. */
  WEBHOOK_RETRY_AFTER_MAX_SECONDS: number;
  /** Consecutive failed attempts that open an endpoint's circuit (0: no breaker). */
  WEBHOOK_BREAKER_FAILURES: number;
  /** How often an open circuit lets one probe through. */
  WEBHOOK_BREAKER_PROBE_INTERVAL_MS: number;
  /** The longest pause a slowed endpoint (429/502/503/504 without Retry-After) grows to. */
  WEBHOOK_SLOWDOWN_MAX_MS: number;
  REDIS_QUEUE_PREFIX: string;
  WORKER_PORT: number;
  /** How long a stopping process lets its attempts in flight run before it interrupts them. */
  SHUTDOWN_GRACE_SECONDS: number;
  /** Unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT?: 'json' | 'pretty';
  /** Where people open Homa (the helpdesk's web address); template presets link tickets under it. */
  PUBLIC_URL?: string;
}

const durationList = /^\s*(\d+(ms|s|m|h|d)\s*)(,\s*\d+(ms|s|m|h|d)\s*)*$/;

export const envSchema = Joi.object<Env>({
  NODE_ENV: Joi.string().default('production'),
  PORT: Joi.number().port().default(8000),
  TRUST_PROXY: Joi.string()
    .allow('')
    .default('false')
    .custom((value: string) => {
      parseTrustProxy(value);
      return value;
    })
    .messages({
      'any.custom':
        '"TRUST_PROXY" must be false, a hop count, or a comma-separated list of loopback, linklocal, uniquelocal and CIDRs: {{#error.message}}',
    }),
  METRICS_TOKEN: Joi.string()
    .empty('')
    .min(16)
    .pattern(/^[\x21-\x7e]+$/)
    .messages({
      'string.min': '"METRICS_TOKEN" must be at least 16 characters (e.g. `openssl rand -hex 24`)',
      'string.pattern.base': '"METRICS_TOKEN" must be printable ASCII without spaces',
    }),
  DATABASE_URL: Joi.string()
    .empty('')
    .uri({ scheme: ['mysql', 'mariadb'] })
    .messages({ 'string.uriCustomScheme': '"DATABASE_URL" must be a mysql:// URL' }),
  DATA_DIR: Joi.string().default('./data'),
  REDIS_URL: Joi.string()
    .empty('')
    .uri({ scheme: ['redis', 'rediss'] })
    .when('DATABASE_URL', {
      not: Joi.exist(),
      then: Joi.forbidden().messages({
        'any.unknown':
          '"REDIS_URL" needs DATABASE_URL: delivery workers in other processes share a MySQL database, not the embedded SQLite file',
      }),
    }),
  // Read by bootstrap() before Nest starts (see main.ts); validated here like every other setting.
  DELIVERY_THREAD: Joi.boolean().default(true),
  // Read by telemetry/tracing.ts and the OpenTelemetry SDK itself; checked here like every setting.
  OTEL_EXPORTER_OTLP_ENDPOINT: Joi.string()
    .empty('')
    .uri({ scheme: ['http', 'https'] })
    .messages({
      'string.uriCustomScheme':
        '"OTEL_EXPORTER_OTLP_ENDPOINT" must be an http(s):// URL (OTLP/HTTP)',
      'string.uri': '"OTEL_EXPORTER_OTLP_ENDPOINT" must be an http(s):// URL (OTLP/HTTP)',
    }),
  JWT_SECRET: Joi.string()
    .empty('')
    .min(32)
    .when('DATABASE_URL', {
      is: Joi.exist(),
      then: Joi.required().messages({
        'any.required':
          '"JWT_SECRET" is required when DATABASE_URL is set (use at least 32 random characters, e.g. `openssl rand -base64 48`)',
      }),
    }),
  HOMA_ENCRYPTION_KEY: Joi.string()
    .empty('')
    .custom((value: string) => {
      parseEncryptionKeys(value);
      return value;
    })
    .when('DATABASE_URL', {
      is: Joi.exist(),
      then: Joi.required(),
    })
    .messages({
      'any.required':
        '"HOMA_ENCRYPTION_KEY" is required when DATABASE_URL is set: it encrypts webhook secrets at rest (32 random bytes in base64, e.g. `openssl rand -base64 32`)',
      'any.custom':
        '"HOMA_ENCRYPTION_KEY" must be comma-separated base64 keys of 32 bytes, the current one first: {{#error.message}}',
    }),
  JWT_EXPIRES_IN_SECONDS: Joi.number().integer().min(60).default(3600),
  LOG_LEVEL: Joi.string().valid('error', 'warn', 'log', 'debug', 'verbose').default('log'),
  CLIENT_RATE_LIMIT: Joi.number().integer().min(1).default(60),
  CLIENT_RATE_TTL_SECONDS: Joi.number().integer().min(1).default(60),
  LOGIN_MAX_FAILURES: Joi.number().integer().min(1).default(10),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: Joi.number().integer().min(1).default(100),
  LOGIN_MAX_FAILURES_PER_IP: Joi.number().integer().min(1).default(30),
  LOGIN_FAILURE_WINDOW_SECONDS: Joi.number().integer().min(1).default(900),
  AUDIT_LOG_RETENTION_DAYS: Joi.number().integer().min(1).default(365),
  WEBHOOK_TIMEOUT_MS: Joi.number().integer().min(100).max(120000).default(30000),
  WEBHOOK_RETRY_SCHEDULE: Joi.string()
    .pattern(durationList)
    .default('5s,5m,30m,2h,5h,10h,10h')
    .messages({
      'string.pattern.base': '"WEBHOOK_RETRY_SCHEDULE" must be a list like 5s,5m,30m,2h',
    }),
  WEBHOOK_CONCURRENCY: Joi.number().integer().min(1).max(1000).default(50),
  WEBHOOK_PER_ENDPOINT_CONCURRENCY: Joi.number().integer().min(1).max(100).default(4),
  WEBHOOK_RESPONSE_MAX_BYTES: Joi.number().integer().min(64).default(4096),
  WEBHOOK_ALLOWED_NETWORKS: Joi.string()
    .allow('')
    .default('')
    .custom((value: string) => {
      parseCidrList(value);
      return value;
    })
    .messages({
      'any.custom':
        '"WEBHOOK_ALLOWED_NETWORKS" must be a comma-separated CIDR list: {{#error.message}}',
    }),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: Joi.boolean().default(false),
  WEBHOOK_POLL_INTERVAL_MS: Joi.number().integer().min(10).default(1000),
  WEBHOOK_AUTO_DISABLE_AFTER: Joi.string()
    .pattern(/^\d+(ms|s|m|h|d)$/)
    .default('5d')
    .messages({
      'string.pattern.base': '"WEBHOOK_AUTO_DISABLE_AFTER" must be a duration like 5d or 12h',
    }),
  WEBHOOK_DELIVERY_RETENTION_DAYS: Joi.number().integer().min(1).default(30),
  WEBHOOK_RECONCILE_INTERVAL_MS: Joi.number().integer().min(50).default(5000),
  WEBHOOK_RETRY_AFTER_MAX_SECONDS: Joi.number().integer().min(1).max(86400).default(3600),
  WEBHOOK_BREAKER_FAILURES: Joi.number().integer().min(0).max(10000).default(20),
  WEBHOOK_BREAKER_PROBE_INTERVAL_MS: Joi.number().integer().min(100).max(86400000).default(30000),
  WEBHOOK_SLOWDOWN_MAX_MS: Joi.number().integer().min(100).max(3600000).default(60000),
  REDIS_QUEUE_PREFIX: Joi.string()
    .pattern(/^[A-Za-z0-9_-]{1,64}$/)
    .default('homa'),
  WORKER_PORT: Joi.number().port().default(8001),
  // Past the default 30 s webhook timeout, so that a stop lets every attempt in flight end on its own.
  SHUTDOWN_GRACE_SECONDS: Joi.number().min(0).max(3600).default(35),
  LOG_FORMAT: Joi.string().empty('').valid('json', 'pretty'),
  PUBLIC_URL: Joi.string()
    .empty('')
    .uri({ scheme: ['http', 'https'] })
    .messages({
      'string.uri': '"PUBLIC_URL" must be an http(s) URL, e.g. https://help.example.com',
    }),
});

/** Validates the environment; throws one message that names every bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const result: Joi.ValidationResult<Env> = envSchema.validate(raw, {
    abortEarly: false,
    allowUnknown: true,
    stripUnknown: false,
    convert: true,
  });
  if (result.error) {
    const details = result.error.details;
    const variables = [...new Set(details.map((d) => String(d.path[0] ?? d.context?.key)))];
    throw new ExpectedError(`Invalid configuration: ${details.map((d) => d.message).join('; ')}`, {
      context: 'Config',
      variables,
    });
  }
  return result.value;
}
