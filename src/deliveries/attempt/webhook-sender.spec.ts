import { HttpService } from '@nestjs/axios';
import { ConfigService } from '@nestjs/config';
import axios from 'axios';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Env } from '../../config/env.validation';
import { TargetGuard } from '../../network/target-guard';
import { WebhookSender } from './webhook-sender';

function config(values: Record<string, unknown>): ConfigService<Env, true> {
  return { get: (key: string) => values[key] } as unknown as ConfigService<Env, true>;
}

describe('WebhookSender', () => {
  let server: Server;
  let seen: { url: string; headers: IncomingHttpHeaders; body: string }[];
  let port: number;
  let sender: WebhookSender;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
        if (req.url === '/slow') return; // answers never: only the caller's signal ends it
        if (req.url === '/gone') res.writeHead(410).end('gone for good');
        else if (req.url === '/busy') res.writeHead(429, { 'Retry-After': '7' }).end();
        else res.end('thanks');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const env = config({
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
      WEBHOOK_RESPONSE_MAX_BYTES: 4,
    });
    sender = new WebhookSender(new HttpService(axios.create()), new TargetGuard(env), env);
  });
  beforeEach(() => (seen = []));
  afterAll(async () => {
    sender.onApplicationShutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (url: string, headers: Record<string, string> = {}) =>
    sender.send({ url, body: Buffer.from('{"a":1}'), headers, timeoutMs: 2000 });

  it('posts the body with exactly its headers, path and query, and reads the outcome', async () => {
    const outcome = await send(`http://127.0.0.1:${port}/hook?x=1`, { 'X-Webhook-Event': 'e' });
    // Nothing of axios's own (Accept, Accept-Encoding, User-Agent, a form Content-Type).
    expect(seen).toEqual([
      {
        url: '/hook?x=1',
        headers: {
          host: `127.0.0.1:${port}`,
          'x-webhook-event': 'e',
          'content-length': '7',
          connection: 'keep-alive',
        },
        body: '{"a":1}',
      },
    ]);
    expect(outcome).toMatchObject({
      success: true,
      status_code: 200,
      response: 'than…[truncated at 4 bytes]',
    });
  });

  it('sends a URL’s user and password as Basic authorization, as Node did, unless a header sets it', async () => {
    await send(`http://us%40er:p%3Ass@127.0.0.1:${port}/auth`);
    await send(`http://user:pass@127.0.0.1:${port}/auth`, { Authorization: 'Bearer own' });
    expect(seen.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`,
      'Bearer own',
    ]);
  });

  it('sends the headers it is given as they are, with no axios defaults in their place', async () => {
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'Homa-Webhook/test',
      Accept: 'text/plain',
      'webhook-id': 'msg_1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    await send(`http://127.0.0.1:${port}/h`, headers);
    expect(seen[0].headers).toEqual({
      host: `127.0.0.1:${port}`,
      'content-type': 'application/json',
      'user-agent': 'Homa-Webhook/test',
      accept: 'text/plain',
      'webhook-id': 'msg_1',
      traceparent: headers.traceparent,
      'content-length': '7',
      connection: 'keep-alive',
    });
  });

  it('maps statuses, Retry-After, refused targets and bad header values to outcomes', async () => {
    expect(await send(`http://127.0.0.1:${port}/gone`)).toMatchObject({
      success: false,
      status_code: 410,
      error_code: 'http_status',
    });
    expect(await send(`http://127.0.0.1:${port}/busy`)).toMatchObject({
      status_code: 429,
      retry_after_ms: 7000,
    });
    expect(await send('http://10.1.2.3/hook')).toMatchObject({ error_code: 'blocked_target' });
    // Node's header checks, before anything is sent (axios alone would drop the NUL and send).
    for (const [name, value, error] of [
      ['X-Bad', 'a\u0000b', /Invalid character in header content \["X-Bad"\]/],
      ['X-Bad', 'a\rb', /Invalid character in header content/],
      ['X-Bad', 'snow ☃', /Invalid character in header content/],
      ['Bad Name', 'x', /Header name must be a valid HTTP token \["Bad Name"\]/],
    ] as const) {
      expect(await send(`http://127.0.0.1:${port}/x`, { [name]: value })).toMatchObject({
        error_code: 'connection',
        error: expect.stringMatching(error),
      });
    }
    expect(seen.map((r) => r.url)).not.toContain('/x');
    expect(await send(`http://127.0.0.1:1/refused`)).toMatchObject({ error_code: 'connection' });
  });

  it('answers `interrupted` when its signal aborts, closing the request, and sends nothing once aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('Interrupted: the grace ended')), 100);
    const outcome = await sender.send({
      url: `http://127.0.0.1:${port}/slow`,
      body: Buffer.from('{}'),
      headers: {},
      timeoutMs: 20_000,
      signal: controller.signal,
    });
    expect(outcome).toMatchObject({
      success: false,
      status_code: null,
      error_code: 'interrupted',
      error: 'Interrupted: the grace ended',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen.map((r) => r.url)).toEqual(['/slow']);

    const again = await sender.send({
      url: `http://127.0.0.1:${port}/hook`,
      body: Buffer.from('{}'),
      headers: {},
      timeoutMs: 2_000,
      signal: controller.signal,
    });
    expect(again.error_code).toBe('interrupted');
    // The same connection pool still serves requests without a signal.
    expect(await send(`http://127.0.0.1:${port}/hook`)).toMatchObject({ status_code: 200 });
    expect(seen.map((r) => r.url)).toEqual(['/slow', '/hook']);
  });
});
