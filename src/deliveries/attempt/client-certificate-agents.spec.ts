import { HttpService } from '@nestjs/axios';
import { ConfigService } from '@nestjs/config';
import axios from 'axios';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { Env } from '../../config/env.validation';
import { TargetGuard } from '../../network/target-guard';
import { ClientCertificateAgents } from './client-certificate-agents';
import { WebhookSender } from './webhook-sender';

const FIXTURES = join(__dirname, '../../../test/fixtures/mtls');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('ClientCertificateAgents', () => {
  it('keeps one agent per webhook while its certificate and key stay, and replaces it when they change', () => {
    const agents = new ClientCertificateAgents({ keepAlive: true });
    const ref = { webhookId: 1, certificate: 'cert-a', key: 'key-a' };
    const first = agents.agentFor(ref);
    expect(agents.agentFor({ ...ref })).toBe(first);
    expect(agents.agentFor({ webhookId: 2, certificate: 'cert-a', key: 'key-a' })).not.toBe(first);
    const renewed = agents.agentFor({ ...ref, certificate: 'cert-b' });
    expect(renewed).not.toBe(first);
    expect(renewed.options).toMatchObject({ keepAlive: true, cert: 'cert-b', key: 'key-a' });
    expect(agents.agentFor({ ...ref, certificate: 'cert-b', key: 'key-b' })).not.toBe(renewed);
    agents.destroyAll();
  });
});

describe('WebhookSender with a client certificate', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer(
      {
        key: fixture('server.key'),
        cert: fixture('server.pem'),
        ca: fixture('ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN));
        req.resume().on('end', () => res.end('ok'));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function senderAllowing(networks: string): WebhookSender {
    const values: Record<string, unknown> = {
      WEBHOOK_ALLOWED_NETWORKS: networks,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
      WEBHOOK_RESPONSE_MAX_BYTES: 1024,
    };
    const env = { get: (key: string) => values[key] } as unknown as ConfigService<Env, true>;
    const sender = new WebhookSender(new HttpService(axios.create()), new TargetGuard(env), env);
    // The test's own trust in the receiver's CA (the e2e test uses NODE_EXTRA_CA_CERTS instead).
    const agents = (sender as unknown as { clientCertificateAgents: { options: object } })
      .clientCertificateAgents;
    Object.assign(agents.options, { ca: fixture('ca.pem') });
    return sender;
  }

  const send = (sender: WebhookSender, url: string) =>
    sender.send({
      url,
      body: Buffer.from('{}'),
      headers: {},
      timeoutMs: 3000,
      clientCertificate: {
        webhookId: 7,
        certificate: fixture('client.pem'),
        key: fixture('client.key'),
      },
    });

  it('presents the certificate to a receiver that asks for one', async () => {
    const sender = senderAllowing('127.0.0.1/32');
    try {
      await expect(send(sender, `https://127.0.0.1:${port}/hook`)).resolves.toMatchObject({
        success: true,
        response: 'ok',
      });
      expect(seen).toEqual(['homa-test-client']);
    } finally {
      sender.onApplicationShutdown();
    }
  });

  it("still checks the addresses a name resolves to at connect (the guard's lookup)", async () => {
    const sender = senderAllowing('10.0.0.0/8');
    try {
      await expect(send(sender, `https://localhost:${port}/hook`)).resolves.toMatchObject({
        success: false,
        error_code: 'blocked_target',
      });
    } finally {
      sender.onApplicationShutdown();
    }
  });
});
