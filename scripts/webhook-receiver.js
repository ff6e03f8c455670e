#!/usr/bin/env node
// A local endpoint for trying Homa's webhooks: prints each delivery and, given the webhook's secret,
// checks both signatures on the raw body bytes. Listens on 127.0.0.1 only.
//   WEBHOOK_SECRET=... RECEIVER_PORT=3000 npm run receiver
const { createHmac, timingSafeEqual } = require('node:crypto');
const { createServer } = require('node:http');

const port = Number(process.env.RECEIVER_PORT || 3000);
const secret = process.env.WEBHOOK_SECRET;

function same(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkSignatures(headers, raw) {
  if (!secret) return 'not checked (set WEBHOOK_SECRET)';
  const hex = createHmac('sha256', secret).update(raw).digest('hex');
  const key = secret.startsWith('whsec_')
    ? Buffer.from(secret.slice(6), 'base64')
    : Buffer.from(secret);
  const signed = Buffer.concat([
    Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`),
    raw,
  ]);
  const v1 = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  const standard = String(headers['webhook-signature'] || '')
    .split(' ')
    .some((s) => same(s, v1));
  return `X-Webhook-Signature ${same(headers['x-webhook-signature'], hex) ? 'valid' : 'INVALID'}, webhook-signature ${standard ? 'valid' : 'INVALID'}`;
}

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    console.log(`\n${new Date().toISOString()} ${req.method} ${req.url}`);
    console.log(
      `  event ${req.headers['x-webhook-event']}, delivery ${req.headers['x-webhook-delivery']}, attempt ${req.headers['x-webhook-attempt']}`,
    );
    console.log(`  signatures: ${checkSignatures(req.headers, raw)}`);
    console.log(`  ${raw.toString('utf8')}`);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
  });
}).listen(port, '127.0.0.1', () =>
  console.log(`Webhook receiver on http://127.0.0.1:${port}/webhook`),
);
