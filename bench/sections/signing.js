'use strict';
// BENCH_SECTIONS=signing: what ed25519 signatures (Standard Webhooks v1a) cost against HMAC.
// 1. The signing function itself (the build's signDelivery), per delivery, on a typical body.
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

/** Median µs per call of `fn` over 5 rounds of `n` calls, after a warm-up. */
function microseconds(fn, n = 20_000) {
  for (let i = 0; i < 2_000; i++) fn(i);
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    rounds.push(((performance.now() - t0) * 1000) / n);
  }
  return L.summarise(rounds);
}

/** µs per delivery of signDelivery: HMAC, ed25519, and each during a rotation (two keys). */
function signCost() {
  const { signDelivery } = require(join(DIST, 'deliveries/attempt/webhook-signer'));
  const { generateSigningKeyPair } = require(join(DIST, 'webhooks/signing-keys'));
  const body = typicalBody();
  const id = '01936f5e-7a8b-7c9d-8e0f-123456789abc';
  const [a, b] = [generateSigningKeyPair().signing_key, generateSigningKeyPair().signing_key];
  const cost = (signing) => microseconds((i) => signDelivery(signing, `${id}${i}`, body));
  const secret = 'abcdefghijklmnopqrstuvwxyz012345';
  return {
    bodyBytes: body.length,
    hmacUs: cost({ scheme: 'hmac', secrets: [secret] }),
    ed25519Us: cost({ scheme: 'ed25519', keys: [a] }),
    hmacRotationUs: cost({ scheme: 'hmac', secrets: [secret, 'another-secret-0123456789'] }),
    ed25519RotationUs: cost({ scheme: 'ed25519', keys: [a, b] }),
  };
}

/**
 * `ctx`: { h: the deployment, hooks: its 10 throughput webhooks (enabled, on `path`), path,
 * throughput(h, receiver, path, webhooks, tickets), receiver, runs }.
 */
async function benchSigning({ h, hooks, path, throughput, receiver, runs }) {
  const out = signCost();
  const scheme = async (signature_scheme) => {
    for (const hook of hooks)
      await h.api.call('PATCH', `/api/admin/webhooks/${hook.id}`, { signature_scheme });
    await L.sleep(1_500); // other processes' webhook caches hold a webhook for a second
  };
  const burst = () => throughput(h, receiver, path, hooks.length, 150);
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
benchSigning.rows = (fmt) => [
  [
    'Signing µs per delivery, HMAC / ed25519 (rotation: 2 keys)',
    (r) =>
      r.signing
        ? `${fmt(r.signing.hmacUs.median, 1)} / ${fmt(r.signing.ed25519Us.median, 1)} (${fmt(r.signing.hmacRotationUs.median, 1)} / ${fmt(r.signing.ed25519RotationUs.median, 1)})`
        : 'skipped',
  ],
  ['Throughput, 10 webhooks, HMAC, deliveries/s', (r) => fmt(r.signing?.hmac)],
  ['  the same webhooks signing with ed25519', (r) => fmt(r.signing?.ed25519)],
  ['  ratio ed25519 / HMAC, per run (goal ≥ 0.9)', (r) => fmt(r.signing?.ratio, 2)],
];

module.exports = benchSigning;
