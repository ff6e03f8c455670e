import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: { event: string; timestamp: string; data: Record<string, unknown> };
  at: number;
}

/** Decides how the receiver answers one request; the default answers 200 "OK". */
export type Responder = (req: ReceivedRequest, res: ServerResponse) => void;

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  respondWith(responder: Responder): void;
  waitFor(
    count: number,
    filter?: (r: ReceivedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export const ok: Responder = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
};

export function status(
  code: number,
  headers: Record<string, string> = {},
  body = `status ${code}`,
): Responder {
  return (_req, res) => res.writeHead(code, headers).end(body);
}

/** Never answers: the sender's timeout has to end the attempt. */
export const hang: Responder = () => undefined;

/** A real HTTP endpoint on 127.0.0.1 that records every request, for webhook deliveries to reach. */
export async function startReceiver(responder: Responder = ok, port = 0): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let current = responder;
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: ReceivedRequest['body'];
      try {
        body = JSON.parse(raw.toString('utf8')) as ReceivedRequest['body'];
      } catch {
        body = { event: '', timestamp: '', data: {} };
      }
      const received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw,
        body,
        at: Date.now(),
      };
      requests.push(received);
      open.add(res);
      res.on('close', () => open.delete(res));
      current(received, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/webhook`,
    requests,
    respondWith: (next) => (current = next),
    waitFor: async (count, filter = () => true, timeoutMs = 15000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = requests.filter(filter);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(
            `Receiver got ${matching.length} of ${count} expected requests within ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check` returns a value (not undefined/false), or fails after the timeout. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
