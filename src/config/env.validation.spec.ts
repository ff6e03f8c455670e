import { ExpectedError } from '../common/expected-error';
import { validateEnv } from './env.validation';

const KEY = Buffer.alloc(32, 1).toString('base64');

describe('validateEnv', () => {
  it('applies the embedded defaults', () => {
    const env = validateEnv({});
    expect(env.PORT).toBe(8000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.DATA_DIR).toBe('./data');
    expect(env.WEBHOOK_TIMEOUT_MS).toBe(30000);
    // Longer than the default webhook timeout: a stop lets every attempt in flight end on its own.
    expect(env.SHUTDOWN_GRACE_SECONDS).toBe(35);
  });

  it('takes SHUTDOWN_GRACE_SECONDS in seconds and names it when it is not a number of them', () => {
    expect(validateEnv({ SHUTDOWN_GRACE_SECONDS: '2.5' }).SHUTDOWN_GRACE_SECONDS).toBe(2.5);
    expect(() => validateEnv({ SHUTDOWN_GRACE_SECONDS: '30s' })).toThrow(
      /"SHUTDOWN_GRACE_SECONDS" must be a number/,
    );
    expect(() => validateEnv({ SHUTDOWN_GRACE_SECONDS: '-1' })).toThrow(
      /"SHUTDOWN_GRACE_SECONDS" must be greater than or equal to 0/,
    );
  });

  it('throws one expected error (logged without a stack) that lists the variables', () => {
    let thrown: unknown;
    try {
      validateEnv({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ExpectedError);
    expect((thrown as ExpectedError).fields).toEqual({
      context: 'Config',
      variables: ['PORT', 'LOG_LEVEL'],
    });
    expect((thrown as Error).message).not.toContain('\n');
  });

  it('treats an empty variable as unset', () => {
    const env = validateEnv({ DATABASE_URL: '', REDIS_URL: '', JWT_SECRET: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('names each bad variable', () => {
    expect(() =>
      validateEnv({ PORT: 'eighty', DATABASE_URL: 'postgres://x/y', JWT_SECRET: 'short' }),
    ).toThrow(
      /"PORT" must be a number[\s\S]*"DATABASE_URL" must be a mysql:\/\/ URL[\s\S]*"JWT_SECRET" length must be at least 32/,
    );
  });

  it('refuses REDIS_URL on the embedded SQLite database', () => {
    expect(() => validateEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /"REDIS_URL" needs DATABASE_URL/,
    );
    const env = validateEnv({
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: 'mysql://root@127.0.0.1/h',
      JWT_SECRET: 'y'.repeat(32),
      HOMA_ENCRYPTION_KEY: KEY,
    });
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('requires JWT_SECRET with MySQL, and no hard-coded fallback exists', () => {
    expect(() => validateEnv({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/homa' })).toThrow(
      /"JWT_SECRET" is required when DATABASE_URL is set/,
    );
    expect(
      validateEnv({
        DATABASE_URL: 'mysql://root@127.0.0.1:3306/homa',
        JWT_SECRET: 'x'.repeat(32),
        HOMA_ENCRYPTION_KEY: KEY,
      }).JWT_SECRET,
    ).toBe('x'.repeat(32));
  });
});

describe('METRICS_TOKEN', () => {
  it('is optional, and when set long enough and printable', () => {
    expect(validateEnv({}).METRICS_TOKEN).toBeUndefined();
    expect(validateEnv({ METRICS_TOKEN: 'm'.repeat(16) }).METRICS_TOKEN).toBe('m'.repeat(16));
    expect(() => validateEnv({ METRICS_TOKEN: 'short' })).toThrow(
      /"METRICS_TOKEN" must be at least 16/,
    );
    expect(() => validateEnv({ METRICS_TOKEN: `${'m'.repeat(16)} x` })).toThrow(/printable ASCII/);
  });

  it('takes an http(s) OTLP endpoint, or none', () => {
    expect(validateEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
    expect(
      validateEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT,
    ).toBeUndefined();
    for (const bad of ['collector:4317', 'grpc://collector:4317', 'not a url'])
      expect(() => validateEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: bad })).toThrow(
        /"OTEL_EXPORTER_OTLP_ENDPOINT" must be an http\(s\):\/\/ URL/,
      );
  });
});
