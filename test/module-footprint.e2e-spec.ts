import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scrapeMetrics, TEST_METRICS_TOKEN } from './helpers/prometheus';
import { eventually } from './helpers/receiver';
import { startProcessGroup } from './helpers/server-process';

/** Preloaded into every thread of the server: writes the files that thread has loaded, by thread id. */
const PRELOAD = `
const { threadId } = require('node:worker_threads');
const { renameSync, writeFileSync } = require('node:fs');
const out = process.env.HOMA_TEST_MODULES_DIR;
setInterval(() => {
  // Written aside, then renamed: the test never reads half a file.
  writeFileSync(out + '/' + threadId + '.tmp', JSON.stringify(Object.keys(require.cache)));
  renameSync(out + '/' + threadId + '.tmp', out + '/' + threadId + '.json');
}, 100).unref();
`;

/** The npm packages among loaded files. */
function packagesIn(files: string[]): Set<string> {
  const names = files
    .map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1])
    .filter((n): n is string => n !== undefined);
  return new Set(names);
}

const REDIS_ONLY = ['bullmq', '@nestjs/bullmq', 'ioredis', '@nest-lab/throttler-storage-redis'];

describe('what `homa serve` loads without Redis (e2e)', () => {
  it('neither thread loads the Redis clients or OpenTelemetry, and the delivery thread loads no Swagger', async () => {
    // The embedded default, whichever database the rest of the suite runs on.
    const dir = mkdtempSync(join(tmpdir(), 'homa-modules-'));
    const preload = join(dir, 'preload.js');
    writeFileSync(preload, PRELOAD);
    const group = await startProcessGroup('footprint', {
      DATABASE_URL: '',
      REDIS_URL: '',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'module-footprint-test-secret-0123456789-abc',
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      HOMA_TEST_MODULES_DIR: dir,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`,
    });
    const server = await group.start();
    try {
      // /metrics is still served (its controller is loaded by the HTTP process only).
      expect(await scrapeMetrics(server.url)).toContain('homa_webhook_attempts_total');
      // An API request runs in its trace (src/telemetry/), without loading OpenTelemetry.
      expect((await fetch(`${server.url}/api/admin/webhooks`)).status).toBe(401);
      // The main thread and the delivery thread.
      const threads = await eventually(() => {
        const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
        return Promise.resolve(files.length >= 2 ? files : undefined);
      });
      const loaded = (file: string) =>
        packagesIn(JSON.parse(readFileSync(join(dir, file), 'utf8')) as string[]);
      const main = loaded('0.json');
      const delivery = threads.filter((f) => f !== '0.json').map(loaded);
      // Each thread is the real app: the check below would pass on an empty list.
      for (const packages of [main, ...delivery]) {
        expect(packages.has('typeorm')).toBe(true);
        for (const name of [...REDIS_ONLY, 'pino-pretty']) expect(packages.has(name)).toBe(false);
        // No SDK, exporter or anything else of OpenTelemetry without OTEL_EXPORTER_OTLP_ENDPOINT. The
        // API facade alone (a no-op) is prom-client's own dependency, loaded by it before Homa traced.
        expect([...packages].filter((name) => name.startsWith('@opentelemetry/'))).toEqual(
          packages.has('@opentelemetry/api') ? ['@opentelemetry/api'] : [],
        );
      }
      expect(main.has('@nestjs/swagger')).toBe(true);
      for (const packages of delivery) expect(packages.has('@nestjs/swagger')).toBe(false);
    } finally {
      await group.close();
    }
  });
});
