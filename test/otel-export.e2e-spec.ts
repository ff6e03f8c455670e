import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DELIVERY_TEST_ENV } from './factories/webhooks';
import { eventually, Receiver, startReceiver } from './helpers/receiver';
import { postJson, startProcessGroup } from './helpers/server-process';

/** A span as OTLP/JSON writes it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}
const SERVER = 2;
const INTERNAL = 1;
const CLIENT = 3;

/** An OTLP/HTTP collector on 127.0.0.1: keeps each export posted to /v1/traces. */
async function startCollector(): Promise<{
  url: string;
  exports: { contentType: string; body: OtlpExport }[];
  close(): Promise<void>;
}> {
  const exports: { contentType: string; body: OtlpExport }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const contentType = req.headers['content-type'] ?? '';
        exports.push({ contentType, body: JSON.parse(Buffer.concat(chunks).toString()) });
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

describe('OpenTelemetry export (e2e)', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let receiver: Receiver;

  beforeAll(async () => {
    collector = await startCollector();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await collector.close();
  });

  it('exports the request, outbox write, fan-out and attempt spans of one event, in its trace', async () => {
    // The built server (delivery thread), or with REDIS_URL a server and a BullMQ worker process.
    const group = await startProcessGroup('otel', {
      ...DELIVERY_TEST_ENV,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    try {
      const server = await group.startDelivering();
      const token = await group.createAdmin(server, 'otel@example.com', 'otel-pass-123');
      const hook = await postJson(
        `${server.url}/api/admin/webhooks`,
        { name: 'Traced', url: receiver.url, event_user_created: true },
        token,
      );
      expect(hook.status).toBe(201);
      const created = await postJson(
        `${server.url}/api/admin/users`,
        { email: 'otel-traced@example.com', name: 'Traced', password: 'long-enough-pw' },
        token,
        { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
      );
      expect(created.status).toBe(201);
      const [delivery] = await receiver.waitFor(1, (r) => r.body.event === 'user.created');
      const [, sentTrace, sentSpan] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(
        String(delivery.headers.traceparent),
      )!;
      expect(sentTrace).toBe(CALLER_TRACE);

      const spans = () =>
        collector.exports.flatMap((e) =>
          e.body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
        );
      const inTrace = await eventually(() => {
        const found = spans().filter((s) => s.traceId === CALLER_TRACE);
        const attempt = found.find((s) => s.kind === CLIENT);
        const fanOut = found.find((s) => s.name === 'fan-out user.created');
        return Promise.resolve(attempt && fanOut ? found : undefined);
      });
      const request = inTrace.find((s) => s.kind === SERVER && s.name === 'POST /api/admin/users');
      const record = inTrace.find((s) => s.name === 'record user.created');
      const fanOut = inTrace.find((s) => s.name === 'fan-out user.created');
      const attempt = inTrace.find((s) => s.kind === CLIENT);
      // The request is the caller's child; the outbox write, the request's; fan-out and the attempt,
      // the outbox write's. The attempt's span is the one its POST named.
      expect(request).toMatchObject({ parentSpanId: CALLER_SPAN });
      expect(record).toMatchObject({ kind: INTERNAL, parentSpanId: request!.spanId });
      expect(fanOut).toMatchObject({ kind: INTERNAL, parentSpanId: record!.spanId });
      expect(attempt).toMatchObject({
        name: 'POST webhook user.created',
        spanId: sentSpan,
        parentSpanId: record!.spanId,
      });
      expect(collector.exports.every((e) => e.contentType.startsWith('application/json'))).toBe(
        true,
      );
      const services = collector.exports.flatMap((e) =>
        e.body.resourceSpans.map(
          (r) => r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
        ),
      );
      expect(new Set(services)).toEqual(new Set(['homa']));
      // The CLI's --create-admin recorded its user.created in a trace of its own.
      const recorded: { traceparent: string }[] = await (
        await group.database()
      ).query(`SELECT traceparent FROM webhook_events WHERE name = 'user.created'`);
      const traces = recorded.map(
        (e) => /^00-([0-9a-f]{32})-[0-9a-f]{16}-01$/.exec(e.traceparent)?.[1],
      );
      expect(traces).toHaveLength(2);
      expect(traces).toContain(CALLER_TRACE);
      expect(traces.find((id) => id !== CALLER_TRACE)).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    } finally {
      await group.close();
    }
  });
});
