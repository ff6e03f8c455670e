import { ResponseReader } from './http1-response';

/** Feeds `parts` one after another; answers how the response ended and what it read. */
function read(parts: string[], maxBytes = 100) {
  const reader = new ResponseReader(maxBytes);
  let end = null;
  for (const part of parts) end = reader.read(Buffer.from(part, 'latin1'));
  return { end, reader, response: end ? reader.response(end.truncated) : null };
}

describe('ResponseReader', () => {
  it('takes bare LF line ends, joins repeated headers, keeps the first of single-valued ones', () => {
    const { end, response, reader } = read([
      'HTTP/1.1 429 Too Many\nRetry-After: 5\nretry-after: 9\nX-A: 1\nX-A: 2\nContent-Length: 2\n\nno',
    ]);
    expect(end).toEqual({ truncated: false, leftover: false });
    expect(response).toEqual({
      status: 429,
      headers: { 'retry-after': '5', 'x-a': '1, 2', 'content-length': '2' },
      body: 'no',
    });
    expect(reader.keepAlive).toBe(true);
  });

  it('does not reuse a connection after HTTP/1.0 without keep-alive, or chunked with a length too', () => {
    expect(read(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).reader.keepAlive).toBe(false);
    expect(
      read(['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n']).reader
        .keepAlive,
    ).toBe(true);
    const both = read([
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    ]);
    expect(both.response?.body).toBe('ok');
    expect(both.reader.keepAlive).toBe(false);
  });

  it('says when bytes follow the response, and when the body runs to the close', () => {
    expect(read(['HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200']).end).toEqual({
      truncated: false,
      leftover: true,
    });
    const open = read(['HTTP/1.1 200 OK\r\n\r\nuntil', ' the end']);
    expect(open.end).toBeNull();
    expect(open.reader.endsAtClose).toBe(true);
    expect(open.reader.response(false).body).toBe('until the end');
  });

  it.each([
    [
      'a head past 16 KiB',
      [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}`],
      'HPE_HEADER_OVERFLOW',
    ],
    [
      'Content-Length values that differ',
      ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
      'HPE_INVALID_CONTENT_LENGTH',
    ],
    [
      'a chunk size that is not hex',
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'a header line without a name',
      ['HTTP/1.1 200 OK\r\n: x\r\n\r\n'],
      'HPE_INVALID_HEADER_TOKEN',
    ],
    ['a 101 upgrade', ['HTTP/1.1 101 Switching Protocols\r\n\r\n'], 'HPE_UNEXPECTED_UPGRADE'],
  ])('refuses %s', (_what, parts, code) => {
    expect(() => read(parts)).toThrow(expect.objectContaining({ code }));
  });
});
