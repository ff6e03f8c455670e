/**
 * Reading one HTTP/1.x response off a connection, as http1-client.ts receives it in pieces: the head
 * (1xx interim responses skipped), then the body framed by Content-Length, chunked transfer coding
 * (RFC 9112 §7.1; chunk extensions and trailers read and dropped) or the connection's close. 204 and
 * 304 have no body. Lines may end in CRLF or a bare LF. At most `maxBytes` of the body are kept.
 */
export interface RawResponse {
  status: number;
  /** Lowercase names; repeated headers joined with `, `, except SINGLE_VALUED ones (the first kept). */
  headers: Record<string, string>;
  /** At most `maxBytes` of the body as UTF-8, then `…[truncated at N bytes]` if there was more. */
  body: string;
}

/** A failure of the exchange, with a Node-style `code` (ECONNRESET, HPE_…, ETIMEDOUT for the deadline). */
export class Http1Error extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** The deadline passed (the error is this client's, not the peer's). */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** How a response ended, once it has. */
export interface ResponseEnd {
  /** The body went past `maxBytes`: the rest is not read, and the connection cannot be reused. */
  truncated: boolean;
  /** Bytes came after the response's end: the connection is out of step. */
  leftover: boolean;
}

/** Node's own limit on a response head (`--max-http-header-size`). */
const MAX_HEAD_BYTES = 16 * 1024;
const MAX_CHUNK_LINE_BYTES = 1024;
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers of which Node keeps the first and discards repeats (`message.headers`). */
const SINGLE_VALUED = new Set(['content-type', 'location', 'retry-after', 'server', 'etag']);
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;
const CHUNK_SIZE = /^[0-9a-fA-F]{1,12}(?=[;\s]|$)/;
const LF = 0x0a;
const CR = 0x0d;

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close';

/** Where a head ends (at its empty line) and where what follows starts. */
function headEnd(buf: Buffer): { end: number; next: number } | null {
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) {
    if (buf[i + 1] === LF) return { end: i, next: i + 2 };
    if (buf[i + 1] === CR && buf[i + 2] === LF) return { end: i, next: i + 3 };
  }
  return null;
}

const parseError = (message: string, code: string) =>
  new Http1Error(`Parse Error: ${message}`, code);

export class ResponseReader {
  /** Any byte of a response arrived. */
  started = false;
  /** The connection may carry another request after this response. */
  keepAlive = false;
  private phase: Phase = 'head';
  /** Bytes of a head, chunk-size line or trailer section not complete yet. */
  private pending: Buffer | null = null;
  private status = 0;
  private headers: Record<string, string> = {};
  /** Bytes left in the body (Content-Length) or in the current chunk. */
  private remaining = 0;
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  constructor(private readonly maxBytes: number) {}

  /** The body runs until the connection closes, so a close ends the response. */
  get endsAtClose(): boolean {
    return this.phase === 'close';
  }

  /** Reads what arrived; answers how the response ended, or null while it has not. Throws Http1Error. */
  read(data: Buffer): ResponseEnd | null {
    this.started = true;
    let at = 0;
    const end = (truncated = false): ResponseEnd => ({ truncated, leftover: at < data.length });
    while (at < data.length || this.phase === 'trailers') {
      switch (this.phase) {
        case 'head': {
          const buf = this.joined(data, at);
          const found = headEnd(buf);
          if (!found || found.end > MAX_HEAD_BYTES) {
            if (buf.length > MAX_HEAD_BYTES)
              throw parseError('Header overflow', 'HPE_HEADER_OVERFLOW');
            this.pending = Buffer.from(buf);
            return null;
          }
          this.pending = null;
          data = buf;
          at = found.next;
          if (this.head(buf.toString('latin1', 0, found.end))) return end();
          break;
        }
        case 'length':
        case 'chunk-data': {
          const take = Math.min(this.remaining, data.length - at);
          if (this.keep(data.subarray(at, at + take))) return { truncated: true, leftover: false };
          at += take;
          this.remaining -= take;
          if (this.remaining > 0) break;
          if (this.phase === 'length') return end();
          this.phase = 'chunk-end';
          break;
        }
        case 'close':
          return this.keep(data.subarray(at)) ? { truncated: true, leftover: false } : null;
        case 'chunk-size': {
          const line = this.line(data, at, MAX_CHUNK_LINE_BYTES, 'chunk size');
          if (!line) return null;
          ({ data, next: at } = line);
          const size = CHUNK_SIZE.exec(line.text);
          if (!size) throw parseError('Invalid character in chunk size', 'HPE_INVALID_CHUNK_SIZE');
          this.remaining = parseInt(size[0], 16);
          this.phase = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'chunk-end': {
          const line = this.line(data, at, 2, 'chunk end');
          if (!line) return null;
          if (line.text !== '') throw parseError('Expected CRLF after chunk', 'HPE_STRICT');
          ({ data, next: at } = line);
          this.phase = 'chunk-size';
          break;
        }
        case 'trailers': {
          // Trailer fields are read and dropped, up to the empty line that ends the message.
          const line = this.line(data, at, MAX_HEAD_BYTES, 'trailer');
          if (!line) return null;
          ({ data, next: at } = line);
          if (line.text === '') return end();
          break;
        }
      }
    }
    return null;
  }

  /** The response as read: the body cut at maxBytes, with the mark when it was. */
  response(truncated: boolean): RawResponse {
    const bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    let body = bytes.subarray(0, this.maxBytes).toString('utf8');
    if (truncated) body += `…[truncated at ${this.maxBytes} bytes]`;
    return { status: this.status, headers: this.headers, body };
  }

  /** The bytes kept from an earlier read, followed by `data` from `at`. */
  private joined(data: Buffer, at: number): Buffer {
    return this.pending ? Buffer.concat([this.pending, data.subarray(at)]) : data.subarray(at);
  }

  /** One line from `at` on, or null (the part kept) while it is not complete. */
  private line(
    data: Buffer,
    at: number,
    limit: number,
    what: string,
  ): { text: string; data: Buffer; next: number } | null {
    const buf = this.joined(data, at);
    const lf = buf.indexOf(LF);
    const end = lf > 0 && buf[lf - 1] === CR ? lf - 1 : lf;
    if (end > limit || (lf < 0 && buf.length > limit + 1))
      throw parseError(`${what} line too long`, 'HPE_INVALID_CHUNK_SIZE');
    if (lf < 0) {
      this.pending = buf.length > 0 ? Buffer.from(buf) : null;
      return null;
    }
    this.pending = null;
    return { text: buf.toString('latin1', 0, end), data: buf, next: lf + 1 };
  }

  /** Keeps body bytes; true once past maxBytes. */
  private keep(bytes: Buffer): boolean {
    if (bytes.length === 0) return false;
    this.chunks.push(bytes);
    this.kept += bytes.length;
    return this.kept > this.maxBytes;
  }

  /** Reads a head; true when its response has no body (it is complete). */
  private head(text: string): boolean {
    const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
    const status = STATUS_LINE.exec(lines[0]);
    if (!status) throw parseError('Invalid status line', 'HPE_INVALID_CONSTANT');
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).toLowerCase() : '';
      if (!HEADER_NAME.test(name))
        throw parseError('Invalid header token', 'HPE_INVALID_HEADER_TOKEN');
      const value = line.slice(colon + 1).trim();
      if (!(name in headers)) headers[name] = value;
      else if (!SINGLE_VALUED.has(name)) headers[name] = `${headers[name]}, ${value}`;
    }
    const code = Number(status[2]);
    if (code >= 100 && code < 200) {
      if (code === 101) throw parseError('Unexpected protocol upgrade', 'HPE_UNEXPECTED_UPGRADE');
      return false; // an interim response: the final one follows
    }
    this.status = code;
    this.headers = headers;
    const connection = (headers.connection ?? '').toLowerCase();
    this.keepAlive =
      status[1] === '1' ? !/(^|,)\s*close\s*(,|$)/.test(connection) : /keep-alive/.test(connection);
    if (code === 204 || code === 304) return true;
    const coding = headers['transfer-encoding'];
    const length = headers['content-length'];
    if (coding !== undefined) {
      // RFC 9112 §6.3: chunked last means chunked; any other coding runs until the connection closes.
      // With Content-Length as well, the connection is not reused.
      if (length !== undefined) this.keepAlive = false;
      if (/(^|,)\s*chunked\s*$/i.test(coding)) this.phase = 'chunk-size';
      else this.toClose();
      return false;
    }
    if (length === undefined) {
      this.toClose();
      return false;
    }
    const values = new Set(length.split(',').map((v) => v.trim()));
    const only = values.size === 1 ? [...values][0] : '';
    if (!/^\d{1,15}$/.test(only))
      throw parseError('Invalid Content-Length', 'HPE_INVALID_CONTENT_LENGTH');
    this.remaining = Number(only);
    if (this.remaining === 0) return true;
    this.phase = 'length';
    return false;
  }

  private toClose(): void {
    this.phase = 'close';
    this.keepAlive = false;
  }
}
