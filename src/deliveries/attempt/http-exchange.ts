/**
 * How one webhook POST goes through axios (webhook-sender.ts sends it): the request options, the
 * headers, and reading the response body.
 */
import { AxiosHeaders, AxiosRequestConfig } from 'axios';
import {
  ClientRequest,
  IncomingMessage,
  request as httpRequest,
  RequestOptions,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { addAbortSignal, Readable } from 'node:stream';

/** The error a request failed with, once it has. */
const requestErrors = new WeakMap<ClientRequest, Error>();

/** The error `request` failed with (a parse error, a reset), or undefined. */
export function requestError(request: ClientRequest): Error | undefined {
  return requestErrors.get(request);
}

/**
 * Interim (1xx) responses a request accepts before its final one. A server may send a few (100
 * Continue, 103 Early Hints); one that sends them without end would have Node parse them until the
 * deadline, each a header object of garbage (10 such receivers at once grew RSS by ~100 MB).
 */
export const MAX_INTERIM_RESPONSES = 10;

/**
 * node:http and node:https themselves (what `maxRedirects: 0` picks without a transport), keeping
 * the error each request fails with: once axios has handed over the response, a malformed body (junk
 * in a chunk size, trailers past Node's header limit) fails the request with the parser's error while
 * the body stream only says "aborted". A request given more than MAX_INTERIM_RESPONSES interim
 * responses fails there and then.
 */
const TRANSPORT = {
  request(options: RequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest {
    const request = (options.protocol === 'https:' ? httpsRequest : httpRequest)(
      options,
      onResponse,
    );
    request.once('error', (error) => requestErrors.set(request, error));
    let interim = 0;
    request.on('information', () => {
      if (++interim === MAX_INTERIM_RESPONSES + 1)
        request.destroy(
          new Error(
            `more than ${MAX_INTERIM_RESPONSES} interim (1xx) responses before the response`,
          ),
        );
    });
    return request;
  },
};

/**
 * What every attempt asks of axios: Node's own HTTP (above; no follow-redirects, and no redirect
 * followed); no proxy from HTTP(S)_PROXY; the response as sent (no gunzip), as a stream that
 * `readBody` cuts; any status is an outcome, not an exception; the signed body goes out as it is
 * (the default transforms would leave a Buffer alone too, but the signatures cover these bytes).
 */
export const EXCHANGE: AxiosRequestConfig = {
  method: 'POST',
  adapter: 'http',
  transport: TRANSPORT,
  maxRedirects: 0,
  proxy: false,
  decompress: false,
  responseType: 'stream',
  validateStatus: () => true,
  transformRequest: [(data: Buffer) => data],
  transformResponse: [(data: Readable) => data],
};

/**
 * Headers axios would add to a POST by itself (Accept, Accept-Encoding, User-Agent: axios/…, and a
 * form Content-Type). `false` keeps each out unless the request sets it: the receiver gets the given
 * headers, with Host, Content-Length and Connection from Node.
 */
const NOT_ADDED = {
  Accept: false,
  'Accept-Encoding': false,
  'User-Agent': false,
  'Content-Type': false,
};

/**
 * The request's headers, checked as Node checks them (axios would instead drop control characters
 * from a value and send the rest), with the URL's Basic authorization unless a header sets one.
 * Throws ERR_INVALID_HTTP_TOKEN or ERR_INVALID_CHAR.
 */
export function outgoingHeaders(
  given: Record<string, string>,
  authorization: string | null,
): AxiosHeaders {
  for (const [name, value] of Object.entries(given)) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  }
  const headers = new AxiosHeaders(given);
  if (authorization) headers.set('Authorization', authorization, false);
  return headers.set(NOT_ADDED, false);
}

/**
 * At most `max` bytes of a response body as UTF-8, then `…[truncated at N bytes]` if there was more:
 * the stream is destroyed there (its connection with it), so no more than one read past `max` is
 * ever held. The deadline destroys the stream too. Kept bytes are copied, so a small piece of a
 * large read does not hold the whole read.
 */
export async function readBody(
  stream: Readable,
  max: number,
  deadline: AbortSignal,
): Promise<string> {
  addAbortSignal(deadline, stream);
  const kept: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const room = max - size;
    if (room > 0) kept.push(Buffer.from(chunk.subarray(0, room)));
    size += Math.min(chunk.length, room);
    if (chunk.length > room) {
      truncated = true;
      break; // leaving the loop destroys the stream
    }
  }
  const text = Buffer.concat(kept, size).toString('utf8');
  return truncated ? `${text}…[truncated at ${max} bytes]` : text;
}
