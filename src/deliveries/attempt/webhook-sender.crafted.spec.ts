import { HttpService } from '@nestjs/axios';
import { ConfigService } from '@nestjs/config';
import axios from 'axios';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import { AddressInfo, createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Env } from '../../config/env.validation';
import { TargetGuard } from '../../network/target-guard';
import { MAX_INTERIM_RESPONSES } from './http-exchange';
import { AttemptOutcome, WebhookSender } from './webhook-sender';

/**
 * The sender against receivers that answer with crafted bytes (a raw TCP server on 127.0.0.1): each
 * exchange ends as a correct or a failed attempt within the deadline, without the process's memory
 * growing with what the receiver sends.
 */

const MAX_BYTES = 4096;
const DEADLINE_MS = 1000;
const BODY = Buffer.from('{"event":"ticket.created","secret":"in-the-body"}');
const SIGNATURE = 'X-Webhook-Signature';
const TLS_DIR = join(__dirname, '../../../test/fixtures/tls');
const MB = 1024 * 1024;
/**
 * An attempt only the deadline ends is over by then, give or take a busy event loop: the receivers
 * run in this process, and floods keep it busy.
 */
const ENDS_AT_DEADLINE = 2 * DEADLINE_MS;

function config(values: Record<string, unknown>): ConfigService<Env, true> {
  return { get: (key: string) => values[key] } as unknown as ConfigService<Env, true>;
}

interface ServerStats {
  connections: number;
  /** Requests read in full (head and body), on any connection. */
  requests: number;
  /** The first bytes each connection received, as latin1. */
  received: string[];
}

/**
 * A TCP server that answers each request (its head, and its body by Content-Length) with whatever
 * `reply` writes. A connection that does not start like an HTTP request (a TLS handshake) gets a 400
 * and is closed, as an HTTP server would do.
 */
async function rawServer(reply: (socket: Socket, request: number) => void) {
  const stats: ServerStats = { connections: 0, requests: 0, received: [] };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const connection = stats.connections++;
    stats.received[connection] = '';
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // the sender hangs up on purpose
    let buffered = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      if (stats.received[connection].length < 64 * 1024)
        stats.received[connection] += data.toString('latin1');
      buffered = Buffer.concat([buffered, data]);
      if (!/^[A-Z]/.test(buffered.toString('latin1', 0, 1))) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        return;
      }
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        reply(socket, ++stats.requests);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    stats,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Writes `piece` again and again, ~16 KiB at a time, as fast as the peer reads, until `total` bytes
 * or the close. It yields between writes: the sender shares this process's event loop.
 */
function flood(socket: Socket, piece: string | Buffer, total = Infinity): void {
  const batch =
    typeof piece === 'string' ? piece.repeat(Math.max(1, Math.floor(16384 / piece.length))) : piece;
  let sent = 0;
  const pump = () => {
    if (socket.destroyed || sent >= total) return;
    sent += batch.length;
    if (socket.write(batch)) setImmediate(pump);
    else socket.once('drain', pump);
  };
  pump();
}

/** Writes `piece` every `everyMs` until the connection closes. */
function drip(socket: Socket, piece: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else socket.write(piece);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

/** Writes `text` one byte per write, each flushed on its own, to split it across reads. */
async function dribble(socket: Socket, text: string): Promise<void> {
  for (const byte of Buffer.from(text, 'latin1')) {
    if (socket.destroyed) return;
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';

interface Crafted {
  /** What the receiver sends. */
  name: string;
  reply: (socket: Socket, request: number) => void;
  /** The attempt's URL on the server's port (default: http://127.0.0.1:port/hook). */
  url?: (port: number) => string;
  /** One POST that succeeds on the same server first, leaving a kept-alive connection. */
  warmUp?: true;
  /** Attempts at once (the memory a receiver can make the process hold grows with them). */
  parallel?: number;
  expected: Partial<AttemptOutcome>;
  /**
   * Each attempt ends within this many ms (a bound on hanging, generous for a loaded machine): the
   * outcome says whether the response or the deadline ended it.
   */
  within: number;
  /** What the server saw. */
  server?: (stats: ServerStats) => void;
}

const CRAFTED: Crafted[] = [
  {
    name: 'an answer dripped in 1-byte chunks, each with a 1 KiB chunk extension (50 at once)',
    reply: (socket) => {
      socket.write(CHUNKED);
      drip(socket, `1;ext=${'e'.repeat(1024)}\r\nx\r\n`, 2);
    },
    parallel: 50,
    expected: {
      success: false,
      error_code: 'timeout',
      error: `No response within ${DEADLINE_MS} ms`,
    },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'trailers without end after the last chunk',
    reply: (socket) => {
      socket.write(`${CHUNKED}2\r\nok\r\n0\r\n`);
      flood(socket, `X-Trailer: ${'t'.repeat(100)}\r\n`);
    },
    parallel: 10,
    expected: {
      success: false,
      error_code: 'connection',
      error: expect.stringMatching(/overflow/i),
    },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: '1xx interim responses without end (100 Continue, 103 Early Hints)',
    reply: (socket) =>
      flood(socket, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n'),
    parallel: 10,
    // Cut off after MAX_INTERIM_RESPONSES, at once, rather than parsed until the deadline.
    expected: {
      success: false,
      error_code: 'connection',
      error: expect.stringMatching(/interim \(1xx\) responses/),
    },
    within: DEADLINE_MS / 2,
  },
  {
    name: 'junk after a chunk size',
    reply: (socket) => socket.write(`${CHUNKED}5 junk\r\nhello\r\n0\r\n\r\n`),
    expected: {
      success: false,
      error_code: 'connection',
      error: expect.stringMatching(/chunk size/i),
    },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a NUL in a header value',
    reply: (socket) => socket.write('HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok'),
    expected: { success: false, status_code: null, error_code: 'connection' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a bare CR in a header value',
    reply: (socket) => socket.write('HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok'),
    expected: { success: false, status_code: null, error_code: 'connection' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: '`constructor` and `__proto__` headers (read as headers, not from a prototype)',
    reply: (socket) =>
      socket.write(
        'HTTP/1.1 503 Busy\r\nconstructor: x\r\n__proto__: y\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy',
      ),
    expected: { success: false, status_code: 503, response: 'busy', retry_after_ms: 7000 },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a 429 whose Retry-After is `constructor`',
    reply: (socket) =>
      socket.write('HTTP/1.1 429 Slow\r\nRetry-After: constructor\r\nContent-Length: 0\r\n\r\n'),
    expected: { success: false, status_code: 429, response: '', retry_after_ms: null },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: '\\xa0 around Content-Length',
    reply: (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: \xa02\xa0\r\n\r\nok'),
    expected: { success: false, status_code: null, error_code: 'connection' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: '\\v around Content-Length',
    reply: (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: \v2\v\r\n\r\nok'),
    expected: { success: false, status_code: null, error_code: 'connection' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a 100 MB body (Content-Length)',
    reply: (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${100 * MB}\r\n\r\n`);
      flood(socket, Buffer.alloc(64 * 1024, 'a'), 100 * MB);
    },
    parallel: 4,
    expected: {
      success: true,
      status_code: 200,
      response: `${'a'.repeat(MAX_BYTES)}…[truncated at ${MAX_BYTES} bytes]`,
    },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a 100 MB chunked body',
    reply: (socket) => {
      socket.write(CHUNKED);
      flood(socket, `10000\r\n${'b'.repeat(0x10000)}\r\n`, 100 * MB);
    },
    expected: {
      success: true,
      response: `${'b'.repeat(MAX_BYTES)}…[truncated at ${MAX_BYTES} bytes]`,
    },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a 103, then a chunked 202 split byte by byte, with extensions and trailers',
    reply: (socket) =>
      void dribble(
        socket,
        'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
          `HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n` +
          '5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n',
      ),
    expected: { success: true, status_code: 202, response: 'hello, world' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: `${MAX_INTERIM_RESPONSES} interim responses (the most accepted), then a 200`,
    reply: (socket) =>
      socket.write(
        'HTTP/1.1 100 Continue\r\n\r\n'.repeat(MAX_INTERIM_RESPONSES - 1) +
          'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
      ),
    expected: { success: true, status_code: 200, response: 'ok' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a response that ends early',
    reply: (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'),
    expected: { success: false, error_code: 'connection' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'something that is not HTTP',
    reply: (socket) => socket.write('SMTP ready\r\n\r\n'),
    expected: { success: false, error_code: 'connection' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a redirect (not followed)',
    reply: (socket) =>
      socket.write('HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/\r\nContent-Length: 0\r\n\r\n'),
    expected: {
      success: false,
      status_code: 302,
      error_code: 'http_status',
      error: 'HTTP 302: redirects are not followed (Location: http://10.0.0.1/)',
    },
    within: ENDS_AT_DEADLINE,
    server: (stats) => expect(stats.requests).toBe(1),
  },
  {
    name: 'no answer at all',
    reply: () => undefined,
    expected: { success: false, error_code: 'timeout' },
    within: ENDS_AT_DEADLINE,
  },
  {
    name: 'a close of the kept-alive connection, long before the next POST',
    reply: (socket, n) => {
      socket.write(OK);
      if (n === 1) setTimeout(() => socket.end(), 20);
    },
    warmUp: true,
    expected: { success: true, status_code: 200 },
    within: ENDS_AT_DEADLINE,
    server: (stats) => expect(stats).toMatchObject({ connections: 2, requests: 2 }),
  },
  {
    name: 'a close of the kept-alive connection as the next POST arrives (not written again)',
    reply: (socket, n) => (n === 1 ? socket.write(OK) : socket.destroy()),
    warmUp: true,
    expected: { success: false, error_code: 'connection', error: 'socket hang up' },
    within: ENDS_AT_DEADLINE,
    server: (stats) => expect(stats).toMatchObject({ connections: 1, requests: 2 }),
  },
  {
    name: 'an https:// URL on the port of an http server the sender has a kept-alive connection with',
    reply: (socket) => socket.write(OK),
    url: (port) => `https://user:pw@127.0.0.1:${port}/hook`,
    warmUp: true,
    expected: { success: false, error_code: 'tls' },
    within: ENDS_AT_DEADLINE,
    server: (stats) => {
      // The https attempt opened its own connection and began a TLS handshake on it (0x16 0x03):
      // nothing of the request went out in clear text.
      expect(stats.connections).toBe(2);
      expect(stats.received[1].slice(0, 2)).toBe('\x16\x03');
      expect(stats.received[1]).not.toMatch(/POST|in-the-body|Authorization|X-Webhook/i);
      expect(stats.requests).toBe(1);
    },
  },
];

describe('WebhookSender against crafted responses', () => {
  let sender: WebhookSender;
  const figures: string[] = [];

  beforeEach(() => {
    const env = config({
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
      WEBHOOK_RESPONSE_MAX_BYTES: MAX_BYTES,
    });
    sender = new WebhookSender(new HttpService(axios.create()), new TargetGuard(env), env);
  });
  afterEach(() => sender.onApplicationShutdown());
  // Code paths warmed up (compiled, pools of the runtime grown), so the figures below are the cases'.
  beforeAll(async () => {
    const server = await rawServer((socket) => socket.write(OK));
    const env = config({
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RESPONSE_MAX_BYTES: 64,
    });
    const warm = new WebhookSender(new HttpService(axios.create()), new TargetGuard(env), env);
    const url = `http://127.0.0.1:${server.port}/`;
    for (let i = 0; i < 4; i++)
      await Promise.all(
        Array.from({ length: 50 }, () =>
          warm.send({ url, body: BODY, headers: {}, timeoutMs: 5000 }),
        ),
      );
    warm.onApplicationShutdown();
    await server.close();
  });
  afterAll(() => {
    if (process.env.SENDER_MEMORY_REPORT) process.stdout.write(`${figures.join('\n')}\n`);
  });

  const send = (url: string) =>
    sender.send({
      url,
      body: BODY,
      headers: { 'Content-Type': 'application/json', [SIGNATURE]: 'deadbeef' },
      timeoutMs: DEADLINE_MS,
    });

  it.each(CRAFTED)('$name', async (crafted) => {
    const server = await rawServer(crafted.reply);
    try {
      const url = crafted.url?.(server.port) ?? `http://127.0.0.1:${server.port}/hook`;
      if (crafted.warmUp) {
        await expect(send(`http://127.0.0.1:${server.port}/warm-up`)).resolves.toMatchObject({
          success: true,
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const {
        result: outcomes,
        rssGrowth,
        buffersGrowth,
      } = await withPeakMemory(() =>
        Promise.all(
          Array.from({ length: crafted.parallel ?? 1 }, async () => {
            const started = performance.now();
            const outcome = await send(url);
            return { outcome, ms: performance.now() - started };
          }),
        ),
      );
      figures.push(
        `${crafted.name}: ${outcomes.length} × ${outcomes[0].outcome.error_code ?? outcomes[0].outcome.status_code}, ` +
          `slowest ${Math.round(Math.max(...outcomes.map((o) => o.ms)))} ms, ` +
          `peak growth rss ${(rssGrowth / MB).toFixed(1)} MB, arrayBuffers ${(buffersGrowth / MB).toFixed(1)} MB`,
      );
      for (const { outcome, ms } of outcomes) {
        expect(outcome).toMatchObject(crafted.expected);
        expect(ms).toBeLessThan(crafted.within);
      }
      // Generous bounds: the hand-written client held ~194 MB for the dripping receiver, 50 at once.
      expect(rssGrowth).toBeLessThan(64 * MB);
      expect(buffersGrowth).toBeLessThan(16 * MB);
      crafted.server?.(server.stats);
    } finally {
      await server.close();
    }
  });

  it('checks certificates as Node does, and speaks HTTPS to a server it trusts', async () => {
    const cert = readFileSync(join(TLS_DIR, 'cert.pem'));
    const seen: { host?: string; authorization?: string; body: string }[] = [];
    const https = createHttpsServer(
      { cert, key: readFileSync(join(TLS_DIR, 'key.pem')) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          seen.push({ ...req.headers, body: Buffer.concat(chunks).toString() });
          res.end('over tls');
        });
      },
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const url = `https://user:pw@127.0.0.1:${(https.address() as AddressInfo).port}/hook`;
    try {
      await expect(send(url)).resolves.toMatchObject({
        success: false,
        error_code: 'tls',
        error: expect.stringMatching(/self.signed/i),
      });
      // The test's own trust in the certificate, on the sender's https agent.
      (sender as unknown as { httpsAgent: HttpsAgent }).httpsAgent.options.ca = cert;
      await expect(send(url)).resolves.toMatchObject({ success: true, response: 'over tls' });
      expect(seen).toEqual([
        {
          host: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
          authorization: `Basic ${Buffer.from('user:pw').toString('base64')}`,
          'content-type': 'application/json',
          'x-webhook-signature': 'deadbeef',
          'content-length': String(BODY.length),
          connection: 'keep-alive',
          body: BODY.toString(),
        },
      ]);
    } finally {
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
    }
  });

  it('reuses a kept-alive connection for the next POSTs', async () => {
    const server = await rawServer((socket) => socket.write(OK));
    try {
      for (let i = 0; i < 3; i++)
        await expect(send(`http://127.0.0.1:${server.port}/hook`)).resolves.toMatchObject({
          success: true,
          response: 'ok',
        });
      expect(server.stats).toMatchObject({ connections: 1, requests: 3 });
    } finally {
      await server.close();
    }
  });
});

/** Runs `work`, sampling the process's memory every 5 ms: the peak growth over the start. */
async function withPeakMemory<T>(work: () => Promise<T>) {
  const start = process.memoryUsage();
  let rss = start.rss;
  let buffers = start.arrayBuffers;
  const sample = () => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    buffers = Math.max(buffers, now.arrayBuffers);
  };
  const sampler = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    return { result, rssGrowth: rss - start.rss, buffersGrowth: buffers - start.arrayBuffers };
  } finally {
    clearInterval(sampler);
  }
}
