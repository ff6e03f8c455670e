import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { Http1Client, Http1Error, Origin, postHead } from './http1-client';

const TLS_DIR = join(__dirname, '../../../test/fixtures/tls');
const BODY = Buffer.from('{"event":"ticket.created"}');

/**
 * A TCP server that answers each request (head and body read by Content-Length) with what `reply`
 * writes, so a test controls every byte and split of the response. Counts connections and requests.
 */
async function rawServer(reply: (socket: Socket, request: number) => void) {
  const stats = { connections: 0, requests: 0, heads: [] as string[] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (data) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        stats.heads.push(head);
        reply(socket, ++stats.requests);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    stats,
    origin: { https: false, hostname: '127.0.0.1', port } satisfies Origin,
    head: (headers: Record<string, string> = {}) =>
      postHead(`127.0.0.1:${port}`, '/hook?x=1', headers, BODY.length),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes `text` one byte per write, each flushed on its own, to split it across reads. */
async function dribble(socket: Socket, text: string): Promise<void> {
  for (const byte of Buffer.from(text, 'latin1')) {
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('Http1Client', () => {
  let client: Http1Client;
  let server: Awaited<ReturnType<typeof rawServer>> | null = null;

  beforeEach(() => (client = new Http1Client({ maxSockets: 4 })));
  afterEach(async () => {
    client.close();
    await server?.close();
    server = null;
  });

  it('writes the head and body, reads a Content-Length response, and reuses the connection', async () => {
    server = await rawServer((socket, n) =>
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Seen: ${n}\r\n\r\nok-${n}`),
    );
    const first = await client.post(server.origin, server.head({ 'X-A': 'b' }), BODY, 100, 2000);
    const second = await client.post(server.origin, server.head(), BODY, 100, 2000);
    expect(first).toEqual({
      status: 200,
      headers: { 'content-length': '4', 'x-seen': '1' },
      body: 'ok-1',
    });
    expect(second.body).toBe('ok-2');
    expect(server.stats.connections).toBe(1);
    expect(server.stats.heads[0]).toBe(
      `POST /hook?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${server.origin.port}\r\nX-A: b\r\n` +
        `Content-Length: ${BODY.length}\r\nConnection: keep-alive`,
    );
  });

  it('reads a chunked body split byte by byte, skips a 103 and trailers, and reuses the connection', async () => {
    server = await rawServer((socket) => {
      void dribble(
        socket,
        'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
          'HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n',
      );
    });
    const response = await client.post(server.origin, server.head(), BODY, 100, 5000);
    expect(response.status).toBe(202);
    expect(response.body).toBe('hello, world');
    await client.post(server.origin, server.head(), BODY, 100, 5000);
    expect(server.stats.connections).toBe(1);
  });

  it('reads a body that runs until the connection closes, and opens a new connection after it', async () => {
    server = await rawServer((socket) => socket.end('HTTP/1.0 500 Oops\r\n\r\nall of it'));
    const response = await client.post(server.origin, server.head(), BODY, 100, 2000);
    expect(response).toEqual({ status: 500, headers: {}, body: 'all of it' });
    await client.post(server.origin, server.head(), BODY, 100, 2000);
    expect(server.stats.connections).toBe(2);
  });

  it('does not reuse a connection the response asked to close', async () => {
    server = await rawServer((socket) =>
      socket.write('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'),
    );
    expect((await client.post(server.origin, server.head(), BODY, 100, 2000)).status).toBe(204);
    await client.post(server.origin, server.head(), BODY, 100, 2000);
    expect(server.stats.connections).toBe(2);
  });

  it('keeps maxBytes of a long body, marks the cut, and closes that connection', async () => {
    server = await rawServer((socket) =>
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 26\r\n\r\n${'abcdefghijklmnopqrstuvwxyz'}`),
    );
    const response = await client.post(server.origin, server.head(), BODY, 10, 2000);
    expect(response.body).toBe('abcdefghij…[truncated at 10 bytes]');
    await client.post(server.origin, server.head(), BODY, 10, 2000);
    expect(server.stats.connections).toBe(2);
  });

  it('fails with ETIMEDOUT once the deadline passes, and drops that connection', async () => {
    server = await rawServer((socket, n) => {
      if (n > 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    const error = await client.post(server.origin, server.head(), BODY, 100, 150).catch((e) => e);
    expect(error).toBeInstanceOf(Http1Error);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', timedOut: true });
    expect((await client.post(server.origin, server.head(), BODY, 100, 2000)).status).toBe(200);
    expect(server.stats.connections).toBe(2);
  });

  it('writes a request once more on a new connection when a kept-alive one closes under it', async () => {
    server = await rawServer((socket, n) => {
      if (n === 2)
        socket.destroy(); // the server dropped its idle connection as the request came
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    await client.post(server.origin, server.head(), BODY, 100, 2000);
    expect((await client.post(server.origin, server.head(), BODY, 100, 2000)).status).toBe(200);
    expect(server.stats).toMatchObject({ connections: 2, requests: 3 });
  });

  it('does not write again when a new connection closes without an answer', async () => {
    server = await rawServer((socket) => socket.destroy());
    const error = await client.post(server.origin, server.head(), BODY, 100, 2000).catch((e) => e);
    expect(error).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(server.stats.requests).toBe(1);
  });

  it('fails a response that ends early or is not HTTP', async () => {
    server = await rawServer((socket, n) =>
      n === 1
        ? socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')
        : socket.write('SMTP ready\r\n\r\n'),
    );
    const early = await client.post(server.origin, server.head(), BODY, 100, 2000).catch((e) => e);
    expect(early).toMatchObject({ code: 'ECONNRESET', message: 'The response ended early' });
    const garbage = await client
      .post(server.origin, server.head(), BODY, 100, 2000)
      .catch((e) => e);
    expect(garbage).toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
  });

  it('opens at most maxSockets connections to an origin; the other requests wait for one', async () => {
    server = await rawServer((socket) =>
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 20),
    );
    const origin = server.origin;
    const head = server.head();
    const all = await Promise.all(
      Array.from({ length: 12 }, () => client.post(origin, head, BODY, 100, 5000)),
    );
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(server.stats.connections).toBe(4);
  });

  it('connects through the lookup it is given (the target guard refuses there)', async () => {
    const refusing = new Http1Client({
      lookup: (_host, _options, callback) =>
        callback(Object.assign(new Error('Blocked target'), { code: 'EBLOCKEDTARGET' }), '', 0),
    });
    const origin = { https: false, hostname: 'localhost', port: 9 };
    const error = await refusing
      .post(origin, postHead('localhost:9', '/', {}, 2), BODY, 100, 2000)
      .catch((e) => e);
    refusing.close();
    expect(error).toMatchObject({ code: 'EBLOCKEDTARGET' });
  });

  it('speaks HTTPS with certificate checks: refuses a self-signed certificate, accepts its CA', async () => {
    const cert = readFileSync(join(TLS_DIR, 'cert.pem'));
    const https: HttpServer = createHttpsServer(
      { cert, key: readFileSync(join(TLS_DIR, 'key.pem')) },
      (req, res) => req.resume().on('end', () => res.end(`tls ${req.headers.host}`)),
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const port = (https.address() as AddressInfo).port;
    const origin = { https: true, hostname: 'localhost', port };
    const head = postHead(`localhost:${port}`, '/', {}, BODY.length);
    const refused = await client.post(origin, head, BODY, 100, 2000).catch((e) => e);
    expect(refused).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const trusting = new Http1Client({ tls: { ca: cert } });
    const response = await trusting.post(origin, head, BODY, 100, 2000);
    trusting.close();
    https.closeAllConnections();
    await new Promise((resolve) => https.close(resolve));
    expect(response).toMatchObject({ status: 200, body: `tls localhost:${port}` });
  });

  it('talks to Node’s own server (chunked replies, keep-alive)', async () => {
    const node: HttpServer = createHttpServer((req, res) => {
      req.resume().on('end', () => {
        res.write('part one, ');
        res.end('part two');
      });
    });
    await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
    const port = (node.address() as AddressInfo).port;
    const origin = { https: false, hostname: '127.0.0.1', port };
    const head = postHead(`127.0.0.1:${port}`, '/', {}, BODY.length);
    const bodies = [];
    for (let i = 0; i < 3; i++)
      bodies.push((await client.post(origin, head, BODY, 100, 2000)).body);
    node.closeAllConnections();
    await new Promise((resolve) => node.close(resolve));
    expect(bodies).toEqual(Array(3).fill('part one, part two'));
  });
});

describe('postHead', () => {
  it('refuses header names that are not tokens and values with control characters, as Node does', () => {
    expect(() => postHead('h', '/', { 'Bad Name': 'x' }, 0)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_HTTP_TOKEN' }),
    );
    expect(() => postHead('h', '/', { 'X-Ok': 'a\u0001b' }, 0)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_CHAR' }),
    );
    expect(() => postHead('h', '/', { 'X-Ok': 'snow ☃' }, 0)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_CHAR' }),
    );
    expect(postHead('h', '/p', { 'X-Ok': 'tab\tand é' }, 3)).toBe(
      'POST /p HTTP/1.1\r\nHost: h\r\nX-Ok: tab\tand é\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n',
    );
  });
});
