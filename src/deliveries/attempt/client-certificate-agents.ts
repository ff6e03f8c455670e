import { Agent as HttpsAgent, AgentOptions } from 'node:https';

/** A webhook's client certificate (mutual TLS), as an attempt presents it. */
export interface ClientCertificateRef {
  /** The webhook's id: one agent (and pool of connections) per webhook. */
  webhookId: number;
  certificate: string;
  key: string;
}

/** Webhooks whose agents are kept; the map starts over when full. */
const MAX_AGENTS = 1000;

/**
 * One keep-alive HTTPS agent per webhook with a client certificate, presenting it to receivers that
 * ask for one (Node's TLS does the rest). An agent is replaced when its webhook's certificate or key
 * changes; the replaced one is dropped, not destroyed: attempts in flight on it finish, and its idle
 * connections close after the agents' idle timeout.
 */
export class ClientCertificateAgents {
  private readonly agents = new Map<
    number,
    { certificate: string; key: string; agent: HttpsAgent }
  >();

  constructor(private readonly options: AgentOptions) {}

  agentFor(ref: ClientCertificateRef): HttpsAgent {
    const kept = this.agents.get(ref.webhookId);
    if (kept && kept.certificate === ref.certificate && kept.key === ref.key) return kept.agent;
    if (!kept && this.agents.size >= MAX_AGENTS) this.destroyAll();
    const agent = new HttpsAgent({ ...this.options, cert: ref.certificate, key: ref.key });
    this.agents.set(ref.webhookId, { certificate: ref.certificate, key: ref.key, agent });
    return agent;
  }

  destroyAll(): void {
    for (const { agent } of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
