#!/usr/bin/env node
'use strict';
// npm run bench:sender: the CPU one POST costs the sender, as built in dist/. A receiver in a child
// process (its CPU is not counted) answers 200; this process posts POSTS signed envelopes, CONCURRENCY
// at a time, through WebhookSender (or, with `node`, a bare keep-alive node:http client) and prints its
// own user+system CPU per POST. Traffic stays on 127.0.0.1.
//   node bench/sender-cpu.js [sender|node] [DIST_DIR]
const { fork } = require('node:child_process');
const { createHmac } = require('node:crypto');
const http = require('node:http');
const { join, resolve } = require('node:path');
const { builtSender } = require('./lib');

const POSTS = Number(process.env.POSTS ?? 20_000);
const WARM_UP = Number(process.env.WARM_UP ?? 2_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
// TRACEPARENT=1: each POST also carries a W3C traceparent, as every delivery does.
const TRACEPARENT = process.env.TRACEPARENT ? '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' : null;
const client = process.argv[2] ?? 'sender';
const dist = resolve(process.argv[3] ?? join(__dirname, '..', 'dist'));
const BODY = Buffer.from(
  JSON.stringify({
    event: 'ticket.created',
    timestamp: '2024-01-15T10:30:00Z',
    data: { ticket_id: 123, title: 'Test Ticket', status: 'new', priority: 'medium' },
  }),
);

if (process.argv[2] === '--receiver') {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK'));
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('disconnect', () => process.exit(0));
  return;
}

function nodePost(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = (headers) =>
    new Promise((done, fail) => {
      const req = http.request(url, {
        method: 'POST',
        agent,
        headers: { ...headers, 'Content-Length': BODY.length },
      });
      req.on('response', (res) => res.resume().on('end', done));
      req.on('error', fail);
      req.end(BODY);
    });
  return { post, close: () => agent.destroy() };
}

async function run(post, count) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) {
        const headers = {
          'Content-Type': 'application/json',
          'X-Webhook-Signature': createHmac('sha256', 'bench-secret').update(BODY).digest('hex'),
          ...(TRACEPARENT ? { traceparent: TRACEPARENT } : {}),
        };
        await post(headers);
      }
    }),
  );
}

async function main() {
  const receiver = fork(__filename, ['--receiver']);
  const port = await new Promise((done) => receiver.once('message', done));
  const url = `http://127.0.0.1:${port}/hook`;
  let post;
  let close;
  if (client === 'node') ({ post, close } = nodePost(url));
  else {
    const sender = builtSender(dist, 4096);
    post = async (headers) => {
      const outcome = await sender.send({ url, body: BODY, headers, timeoutMs: 10_000 });
      if (!outcome.success) throw new Error(`POST failed: ${outcome.error}`);
    };
    close = () => sender.onApplicationShutdown();
  }
  await run(post, WARM_UP);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(post, POSTS);
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  close();
  receiver.disconnect();
  const perPost = (used.user + used.system) / POSTS;
  console.log(
    `${client} (${dist}): ${POSTS} POSTs, ${CONCURRENCY} at a time: ${perPost.toFixed(1)} µs of CPU per POST, ${Math.round(POSTS / seconds)} POSTs/s`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
