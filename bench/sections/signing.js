'use strict';
// BENCH_SECTIONS=signing: what ed25519 signatures (Standard Webhooks v1a) cost against HMAC.
// 1. The signing function itself (the build's signDelivery), per delivery, on a typical body: CPU
//    µs (all threads) and wall µs with 64 in flight.
// 2. Pipeline throughput with the same 10 webhooks signing with ed25519, then HMAC, back to back per
//    run (the webhooks' scheme is switched between bursts), and the ratio ed25519 ÷ HMAC per run.
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const L = require('../lib');

const DIST = join(__dirname, '../../dist/src');

/** A ticket.created delivery's body as Homa sends it (the catalog's sample, compact). */
function typicalBody() {
  const { EVENT_CATALOG } = require(join(DIST, 'events/event-catalog'));
  const entry = EVENT_CATALOG.find((e) => e.event === 'ticket.created');
  return Buffer.from(
    JSON.stringify({ event: entry.event, timestamp: '2024-01-15T10:30:00Z', data: entry.sample }),
  );
}

/**
 * µs per delivery of `sign(i)` (a promise), median of 5 rounds of `n` after a warm-up: `wallUs`, the
 * wall time with 64 in flight at once (as a busy delivering thread signs), and `cpuUs`, the CPU time
 * of every thread of this process (ed25519 signs on libuv's pool, HMAC on the calling thread).
 */
async function cost(sign, n = 10_000) {
  const batch = async (from, to) => {
    for (let i = from; i < to; i += 64) {
      const calls = [];
      for (let j = i; j < Math.min(to, i + 64); j++) calls.push(sign(j));
      await Promise.all(calls);
    }
  };
  await batch(0, 2_000);
  const wall = [];
  const cpu = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await batch(0, n);
    const c = process.cpuUsage(c0);
    wall.push(((performance.now() - t0) * 1000) / n);
    cpu.push((c.user + c.system) / n);
  }
  return { wallUs: L.summarise(wall), cpuUs: L.summarise(cpu) };
}

/** signDelivery per delivery: HMAC, ed25519, and each during a rotation (two keys signing). */
async function signCost() {
  const { signDelivery } = require(join(DIST, 'deliveries/attempt/webhook-signer'));
  const { generateSigningKeyPair } = require(join(DIST, 'webhooks/signing-keys'));
  const body = typicalBody();
  const id = '01936f5e-7a8b-7c9d-8e0f-123456789abc';
  const [a, b] = [generateSigningKeyPair().signing_key, generateSigningKeyPair().signing_key];
  const of = (signing) => cost((i) => signDelivery(signing, `${id}${i}`, body));
  const secret = 'abcdefghijklmnopqrstuvwxyz012345';
  return {
    bodyBytes: body.length,
    hmac: await of({ scheme: 'hmac', secrets: [secret] }),
    ed25519: await of({ scheme: 'ed25519', keys: [a] }),
    hmacRotation: await of({ scheme: 'hmac', secrets: [secret, 'another-secret-0123456789'] }),
    ed25519Rotation: await of({ scheme: 'ed25519', keys: [a, b] }),
  };
}

/**
 * `ctx`: { h: the deployment, hooks: its 10 throughput webhooks (enabled, on `path`), path,
 * throughput(h, receiver, path, webhooks, tickets), receiver, runs }.
 */
async function benchSigning({ h, hooks, path, throughput, receiver, runs }) {
  const out = { sign: await signCost() };
  const patch = (id, body) => h.api.call('PATCH', `/api/admin/webhooks/${id}`, body);
  const scheme = async (signature_scheme) => {
    // Once more on a reset: a kept-alive connection the server closed while the burst drained.
    for (const hook of hooks)
      await patch(hook.id, { signature_scheme }).catch((error) => {
        if (error.code !== 'ECONNRESET') throw error;
        return patch(hook.id, { signature_scheme });
      });
    await L.sleep(1_500); // other processes' webhook caches hold a webhook for a second
  };
  const burst = () =>
    throughput(h, receiver, path, hooks.length, 150).catch((error) => {
      throw new Error(`signing: a burst failed: ${error.message}`, { cause: error });
    });
  const hmac = [];
  const ed25519 = [];
  const ratios = [];
  for (const s of ['ed25519', 'hmac']) {
    await scheme(s);
    await burst(); // warm-up, not counted
  }
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so a drift in the machine's speed favours neither.
    const order = i % 2 === 0 ? ['hmac', 'ed25519'] : ['ed25519', 'hmac'];
    const got = {};
    for (const s of order) {
      await scheme(s);
      got[s] = await burst();
    }
    hmac.push(got.hmac);
    ed25519.push(got.ed25519);
    ratios.push(got.ed25519 / got.hmac);
  }
  await scheme('hmac');
  return {
    ...out,
    hmac: L.summarise(hmac),
    ed25519: L.summarise(ed25519),
    ratio: L.summarise(ratios),
  };
}

/** The rows the bench's table shows (label, and the cell of one mode's result). */
benchSigning.rows = (fmt) => {
  const us = (r, key, kind) => fmt(r.signing.sign[key][kind].median, 1);
  const pair = (r, kind, rotation = '') =>
    `${us(r, `hmac${rotation}`, kind)} / ${us(r, `ed25519${rotation}`, kind)}`;
  const cell = (f) => (r) => (r.signing ? f(r) : 'skipped');
  return [
    ['Signing CPU µs per delivery, HMAC / ed25519', cell((r) => pair(r, 'cpuUs'))],
    ['  during a rotation (2 keys sign)', cell((r) => pair(r, 'cpuUs', 'Rotation'))],
    ['  wall µs per delivery, 64 at once, HMAC / ed25519', cell((r) => pair(r, 'wallUs'))],
    ['Throughput, 10 webhooks, HMAC, deliveries/s', (r) => fmt(r.signing?.hmac)],
    ['  the same webhooks signing with ed25519', (r) => fmt(r.signing?.ed25519)],
    ['  ratio ed25519 / HMAC, per run (goal ≥ 0.9)', (r) => fmt(r.signing?.ratio, 2)],
  ];
};

module.exports = benchSigning;
