import { requestHeaders } from './request-headers';

describe('requestHeaders', () => {
  it('keeps custom headers but not the contract’s own or those that frame the HTTP exchange', () => {
    const headers = requestHeaders(
      { id: 'd1', event: 'ticket.created', sequence: 4 },
      {
        headers: {
          'X-Team': 'support',
          'Content-Type': 'text/plain',
          'webhook-id': 'forged',
          Connection: 'close',
          'Transfer-Encoding': 'chunked',
          Expect: '100-continue',
        },
      },
      2,
    );
    expect(headers).toEqual({
      'X-Team': 'support',
      'Content-Type': 'application/json',
      'User-Agent': expect.stringMatching(/^Homa-Webhook\//),
      'X-Webhook-Event': 'ticket.created',
      'X-Webhook-Delivery': 'd1',
      'X-Webhook-Attempt': '2',
      'X-Webhook-Sequence': '4',
    });
  });
});

describe('requestHeaders and trace context', () => {
  it('adds the attempt’s traceparent, which a custom header cannot set or shadow', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const headers = requestHeaders(
      { id: 'd1', event: 'ticket.created' },
      { headers: { Traceparent: 'forged', tracestate: 'forged=1' } },
      1,
      traceparent,
    );
    expect(headers.traceparent).toBe(traceparent);
    expect(Object.keys(headers).filter((name) => /^trace/i.test(name))).toEqual(['traceparent']);
  });
});
