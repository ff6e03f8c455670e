import { createTicket, GUIDE_TICKET } from './factories/tickets';
import { uniqueEmail } from './factories/users';
import { createTestApp } from './helpers/test-app';

describe('client API rate limit (e2e)', () => {
  it('answers 429 naming the limit once a client IP goes over it; other APIs are not limited', async () => {
    const t = await createTestApp({ CLIENT_RATE_LIMIT: '3', CLIENT_RATE_TTL_SECONDS: '60' });
    try {
      const ticket = await createTicket(t);
      await t.http
        .get(`/api/client/tickets/${ticket.id}`)
        .set('X-Ticket-Secret', ticket.secret)
        .expect(200);
      await t.http
        .post('/api/client/tickets')
        .send({ ...GUIDE_TICKET, client_email: uniqueEmail() })
        .expect(201);
      const limited = await t.http
        .post('/api/client/tickets')
        .send({ ...GUIDE_TICKET, client_email: uniqueEmail() })
        .expect(429);
      expect(limited.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Rate limit exceeded: 3 requests per 60 seconds',
      });
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      await t.http.get('/health').expect(200);
      for (let i = 0; i < 5; i++) await t.http.get('/api/agent/tickets').expect(401);
    } finally {
      await t.close();
    }
  });
});
