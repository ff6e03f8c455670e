import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { schemaViolation } from './event-schema-validator';

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
  /** Bodies that broke their event's JSON Schema (`waitFor` fails while there is any). */
  schemaViolations: string[];
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

export interface ReceiverOptions {
  /**
   * Check every body against its event's JSON Schema (src/events/event-schemas.ts), the event named
   * by `X-Webhook-Event`. Off only for a webhook with a template, whose receiver gets its own shape.
   */
  validateSchemas?: boolean;
}

/** A real HTTP endpoint on 127.0.0.1 that records every request, for webhook deliveries to reach. */
export async function startReceiver(
  responder: Responder = ok,
  port = 0,
  { validateSchemas = true }: ReceiverOptions = {},
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const schemaViolations: string[] = [];
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
      const violation = validateSchemas ? schemaViolation(req.headers, raw) : null;
      if (violation) schemaViolations.push(violation);
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
    schemaViolations,
    respondWith: (next) => (current = next),
    waitFor: async (count, filter = () => true, timeoutMs = 15000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (schemaViolations.length > 0)
          throw new Error(`Bodies broke their event schema:\n${schemaViolations.join('\n')}`);
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
