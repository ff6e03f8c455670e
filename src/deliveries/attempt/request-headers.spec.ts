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
