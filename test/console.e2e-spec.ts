import jwt from 'jsonwebtoken';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { bearer, createUser, TestUser, uniqueEmail } from './factories/users';
import { createTicket } from './factories/tickets';
import { createWebhook } from './factories/webhooks';
import { launchChromium, openPage, screenshot, signIn } from './helpers/browser';
import { Harness, startHarness } from './helpers/harness';
import { eventually, Receiver, startReceiver, status } from './helpers/receiver';

/** The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; other runs leave docs/ alone. */
const DOCS = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, '..', 'docs')
  : mkdtempSync(join(tmpdir(), 'homa-screens-'));

async function shown(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

describe('web console (browser, e2e)', () => {
  let t: Harness;
  let agent: TestUser;
  let failing: Receiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startHarness({ env: { WEBHOOK_RETRY_SCHEDULE: '100ms,100ms' } }),
      launchChromium(),
    ]);
    agent = await createUser(t, 'agent');
    failing = await startReceiver(status(500, { 'Content-Type': 'text/plain' }, 'upstream broke'));
  });
  afterAll(async () => {
    await browser?.close();
    await failing?.close();
    await t?.close();
  });
  beforeEach(async () => {
    ({ context, page, errors: pageErrors } = await openPage(browser, { baseURL: t.baseUrl }));
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  it('is served with a strict Content-Security-Policy and no inline script', async () => {
    const res = await t.http.get('/console/deliveries').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).toMatch(
      /<script type="module" crossorigin src="\/console\/assets\/[^"]+\.js">/,
    );
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    await t.http.get('/console/assets/nope.js').expect(404);
  });

  it('signs in, creates a webhook through the form, shows a live delivery, its body and a redelivery', async () => {
    // By keyboard: the form is reachable and submits with Enter.
    await page.goto('/console');
    await page.getByLabel('Email').focus();
    await page.keyboard.type(t.admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(t.admin.password);
    await page.keyboard.press('Enter');
    await shown(page.getByRole('heading', { name: 'Webhooks' }));

    await page.getByRole('link', { name: 'New webhook' }).click();
    await page.getByLabel('Name').fill('Receiver hook');
    await page.getByLabel('URL', { exact: true }).fill('http://10.0.0.5:8080/hook');
    await page.getByLabel('ticket.created').check();
    await expect(page.getByLabel('ticket.created').getAttribute('aria-describedby')).resolves.toBe(
      'event_ticket_created-description',
    );
    await shown(page.getByText('A ticket was opened, by a client or an agent.'));
    await page.getByRole('button', { name: 'Create webhook' }).click();
    // The API's 400 names the field; its message shows beside the URL field and describes it.
    const urlError = await shown(page.getByRole('alert').filter({ hasText: '10.0.0.5' }));
    const errorId = await urlError.getAttribute('id');
    expect(errorId).toBe('url-error');
    await expect(
      page.getByLabel('URL', { exact: true }).getAttribute('aria-describedby'),
    ).resolves.toContain('url-error');
    await expect(
      page.getByLabel('URL', { exact: true }).getAttribute('aria-invalid'),
    ).resolves.toBe('true');

    await page.getByLabel('URL', { exact: true }).fill(t.receiver.url);
    await page.getByLabel(/^Ordered/).check();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await shown(page.getByRole('heading', { name: 'Receiver hook' }));
    const webhookId = Number(/\/console\/webhooks\/(\d+)$/.exec(page.url())?.[1]);
    expect(webhookId).toBeGreaterThan(0);
    const created = await t.http.get(`/api/admin/webhooks/${webhookId}`).set(bearer(t.admin.token));
    expect(created.body.ordered).toBe(true);

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Deliveries' })
      .click();
    await shown(page.getByText('No deliveries match.'));
    await page.evaluate('window.notReloaded = true');

    const ticket = await createTicket(t, { title: 'Printer on fire' });
    const createdAt = Date.now();
    const row = await shown(page.getByRole('link', { name: 'ticket.created' }), 5_000);
    // The poll runs every second; allow for a loaded CI machine, but it must come without a reload.
    expect(Date.now() - createdAt).toBeLessThan(5_000);
    await expect(page.evaluate('window.notReloaded')).resolves.toBe(true);
    await shown(page.getByRole('cell', { name: 'Receiver hook' }));
    await shown(page.getByText('Succeeded · 200'));

    await row.click();
    await shown(page.getByRole('heading', { name: 'ticket.created delivery' }));
    const body = await shown(page.getByLabel('Body'));
    const text = (await body.textContent()) ?? '';
    expect(JSON.parse(text)).toMatchObject({
      event: 'ticket.created',
      data: { ticket_id: ticket.id, title: 'Printer on fire' },
    });
    expect(text).toContain('\n  "event": "ticket.created"');
    await shown(page.getByRole('rowheader', { name: 'X-Webhook-Event' }));
    await shown(page.getByRole('rowheader', { name: 'X-Webhook-Sequence' }));
    await expect(page.getByText(/^v1,/).count()).resolves.toBe(0);
    await shown(page.getByRole('cell', { name: '#1' }));
    await expect(page.getByRole('cell', { name: '#2' }).count()).resolves.toBe(0);

    await page.getByRole('button', { name: 'Redeliver' }).click();
    await shown(page.getByRole('cell', { name: '#2' }));
    await shown(page.getByRole('cell', { name: 'manual' }));
    await shown(page.getByText('Attempt 2: delivered with HTTP 200'));
    const sent = await t.receiver.waitFor(2, (r) => r.body.event === 'ticket.created');
    expect(sent[1].headers['x-webhook-delivery']).toBe(sent[0].headers['x-webhook-delivery']);
    expect(sent[1].headers['x-webhook-attempt']).toBe('2');
  });

  it("shows a failing receiver's health and its failed deliveries on the chart", async () => {
    const hook = await createWebhook(t, t.admin.token, {
      name: 'Failing hook',
      url: failing.url,
      event_ticket_created: true,
    });
    await createTicket(t);
    await createTicket(t);
    await eventually(async () => {
      const res = await t.http
        .get(`/api/admin/webhook_deliveries?webhook_id=${hook.id}&status=failed`)
        .set(bearer(t.admin.token));
      return (res.body as { meta: { total: number } }).meta.total === 2;
    });

    await signIn(page, t.admin);
    const row = await shown(page.getByRole('row').filter({ hasText: 'Failing hook' }));
    await shown(row.getByText('Failed · 500'));
    await shown(row.getByText('0% succeeded, 2 failed'));
    await screenshot(page, join(DOCS, 'console-webhooks.png'));

    await row.getByRole('link', { name: 'Failing hook' }).click();
    await shown(page.getByRole('heading', { name: 'Failing hook' }));
    const chart = await shown(page.getByRole('img', { name: /Deliveries per minute/ }));
    expect(await chart.getAttribute('aria-label')).toContain('0 succeeded, 2 failed');
    await shown(page.getByText('2 failed', { exact: true }));
    await screenshot(page, join(DOCS, 'console-webhook.png'));

    // The test send answers the receiver's true outcome.
    await page.getByLabel('Event').selectOption('webhook.test');
    await page.getByRole('button', { name: 'Send test' }).click();
    await shown(page.getByText('Failed with HTTP 500'));
    await shown(page.getByText('upstream broke'));

    await page.getByRole('link', { name: "See this webhook's deliveries" }).click();
    await shown(page.getByRole('heading', { name: 'Deliveries' }));
    await shown(page.getByText('Failed · 500'));
    await expect(page.getByText('Succeeded · 200').count()).resolves.toBe(0);
    await page.getByLabel('Webhook').selectOption('');
    await shown(page.getByText('Succeeded · 200'));
    await screenshot(page, join(DOCS, 'console-deliveries.png'));
    await page.getByLabel('Status').selectOption('failed');
    await eventually(async () => (await page.getByText('Succeeded · 200').count()) === 0);
    expect(page.url()).toContain('status=failed');
    await shown(page.getByText('Failed · 500'));
  });

  it('edits, disables, reveals and rotates the secret, recovers and deletes a webhook', async () => {
    const hook = await createWebhook(t, t.admin.token, {
      name: 'Managed hook',
      url: failing.url,
      event_user_updated: true,
    });
    await signIn(page, t.admin);
    await (await shown(page.getByRole('link', { name: 'Managed hook' }))).click();
    await shown(page.getByRole('heading', { name: 'Managed hook' }));

    await page.getByRole('link', { name: 'Edit' }).click();
    await shown(page.getByLabel('Name'));
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Managed hook');
    await expect(page.getByLabel('user.updated').isChecked()).resolves.toBe(true);
    await page.getByLabel('user.updated').uncheck();
    await page.getByLabel('client.created').check();
    await page.getByLabel('Description').fill('Edited in the console');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await shown(page.getByText('Edited in the console'));
    const saved = (await t.http.get(`/api/admin/webhooks/${hook.id}`).set(bearer(t.admin.token)))
      .body as Record<string, unknown>;
    expect(saved).toMatchObject({ event_user_updated: false, event_client_created: true });

    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await shown(page.getByText(hook.secret, { exact: true }));
    await page.getByRole('button', { name: 'Hide secret' }).click();
    await expect(page.getByText(hook.secret, { exact: true }).count()).resolves.toBe(0);

    await page.getByLabel('Old secret stays valid for (hours)').fill('2');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await shown(page.getByText(/Secret rotated\. The old one also signs until/));
    const rotated = (
      await t.http.get(`/api/admin/webhooks/${hook.id}/secret`).set(bearer(t.admin.token))
    ).body as { secret: string };
    expect(rotated.secret).not.toBe(hook.secret);
    await shown(page.getByText(rotated.secret, { exact: true }));

    // A failed test send, then "Recover failed since …" sends it again.
    await page.getByRole('button', { name: 'Send test' }).click();
    await shown(page.getByText('Failed with HTTP 500'));
    const before = failing.requests.length;
    await page.getByRole('button', { name: 'Recover' }).click();
    await shown(page.getByText('1 failed delivery queued again.'));
    await failing.waitFor(before + 1);

    await page.getByRole('button', { name: 'Disable webhook' }).click();
    await shown(page.getByText('Webhook disabled.'));
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Webhooks' })
      .click();
    const row = await shown(page.getByRole('row').filter({ hasText: 'Managed hook' }));
    await shown(row.getByText('Disabled', { exact: true }));
    await shown(row.getByText('Disabled through the API'));

    await row.getByRole('link', { name: 'Managed hook' }).click();
    await page.getByRole('button', { name: 'Delete webhook' }).click();
    await shown(page.getByRole('alertdialog'));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await shown(page.getByRole('heading', { name: 'Managed hook' }));
    await page.getByRole('button', { name: 'Delete webhook' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await shown(page.getByRole('heading', { name: 'Webhooks' }));
    await t.http.get(`/api/admin/webhooks/${hook.id}`).set(bearer(t.admin.token)).expect(404);
    await expect(page.getByRole('link', { name: 'Managed hook' }).count()).resolves.toBe(0);
  });

  it('says a wrong password without telling whether the email exists', async () => {
    await page.goto('/console');
    await page.getByLabel('Email').fill(t.admin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const wrong = await (await shown(page.getByRole('alert'))).textContent();
    expect(wrong).toBe('Wrong email or password.');

    await page.getByLabel('Email').fill(uniqueEmail('nobody'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await eventually(
      async () => (await page.getByRole('button', { name: 'Sign in' }).isEnabled()) || undefined,
    );
    expect(await page.getByRole('alert').textContent()).toBe(wrong);
    await expect(page.getByRole('heading', { name: 'Webhooks' }).count()).resolves.toBe(0);
  });

  it('refuses an agent: the console needs an admin', async () => {
    await signIn(page, agent);
    await shown(page.getByRole('alert').filter({ hasText: 'The console needs an admin account' }));
    await expect(page.getByRole('heading', { name: 'Webhooks' }).count()).resolves.toBe(0);
    await expect(page.evaluate('localStorage.length')).resolves.toBe(0);
  });

  it('brings back the sign-in form when the token has expired, and signs out', async () => {
    const expired = jwt.sign(
      { sub: t.admin.id, exp: Math.floor(Date.now() / 1000) - 60 },
      String(process.env.JWT_SECRET),
      { algorithm: 'HS256' },
    );
    await signIn(page, t.admin);
    await shown(page.getByRole('heading', { name: 'Webhooks' }));
    // The token expires while the page is open: the next request gets a 401.
    await page.evaluate(`localStorage.setItem('homa.console.token', ${JSON.stringify(expired)})`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Deliveries' })
      .click();
    await shown(page.getByText('Your session has expired. Sign in again.'));
    await shown(page.getByLabel('Password'));

    // And when the page is opened with an expired token already stored.
    await page.evaluate(`localStorage.setItem('homa.console.token', ${JSON.stringify(expired)})`);
    await page.goto('/console/deliveries');
    await shown(page.getByText('Your session has expired. Sign in again.'));

    await page.getByLabel('Email').fill(t.admin.email);
    await page.getByLabel('Password').fill(t.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shown(page.getByRole('heading', { name: 'Deliveries' }));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await shown(page.getByText('You are signed out.'));
    await expect(page.evaluate("localStorage.getItem('homa.console.token')")).resolves.toBeNull();
  });

  it('fits a phone-width window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, t.admin);
    await shown(page.getByRole('heading', { name: 'Webhooks' }));
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shown(page.getByRole('button', { name: 'Sign out' }));
  });
});
