import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditRecord, AuditService, fieldNames } from '../audit/audit.service';
import type { AuditAction } from '../audit/audit-actions';
import { definedOnly } from '../common/objects';
import { Page, PageQuery, skipFor, toPage } from '../common/pagination';
import { fieldError } from '../common/validation';
import { TransactionService } from '../database/transaction.service';
import { TargetGuard } from '../network/target-guard';
import { WebhookCache } from './webhook-cache';
import { whereSearched } from './webhook-search';
import { restoreMasked } from './masked-input';
import { maskHeaders, maskUrl, urlSearchForm } from './webhook-credentials';
import { generateSecret, maskSecret } from './webhook-secrets';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { RotateSecretDto } from './dto/webhook-actions.dto';
import { Webhook } from './entities/webhook.entity';
import { WebhookChangedEvent } from './events/webhook-settings.events';
import { newTrustFields, presentTrust, rotatedSigningKeys, trustChanges } from './webhook-trust';

const DEFAULT_GRACE_SECONDS = 24 * 3600;

/** A webhook as the API shows it: the secret and credentials masked, rotation state hidden. */
export type WebhookView = Omit<
  Webhook,
  'previous_secrets' | 'signing_key' | 'previous_signing_keys' | 'url_search'
>;

/** The answer to a rotation: the new secret (hmac) or the new public key (ed25519). */
export type RotatedSecret = { id: number; previous_secret_expires_at: string | null } & (
  { secret: string } | { public_key: string }
);

/** `{"enabled": false}` alone is a disable, `{"enabled": true}` alone an enable; anything else an update. */
function updateAction(input: UpdateWebhookDto, fields: string[]): AuditAction {
  if (fields.length === 1 && fields[0] === 'enabled')
    return input.enabled ? 'webhook.enable' : 'webhook.disable';
  return 'webhook.update';
}

export function audited(action: AuditAction, id: number, fields?: string[]): AuditRecord {
  return { action, targetType: 'webhook', targetId: id, details: fields ? { fields } : null };
}

/**
 * The URL's credentials and the custom header values are always masked (revealed only by
 * credentials()); the secret too, except in the answer to create.
 */
export function presentWebhook(webhook: Webhook, revealSecret = false): WebhookView {
  const { previous_secrets, signing_key, previous_signing_keys, url_search, ...rest } = webhook;
  return {
    ...rest,
    url: maskUrl(webhook.url),
    headers: maskHeaders(webhook.headers),
    secret: revealSecret ? webhook.secret : maskSecret(webhook.secret),
    ...presentTrust(webhook),
  };
}

@Injectable()
export class WebhooksService {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: Repository<Webhook>,
    private readonly tx: TransactionService,
    private readonly guard: TargetGuard,
    private readonly cache: WebhookCache,
    private readonly emitter: EventEmitter2,
    private readonly audit: AuditService,
  ) {}

  /** Creates a webhook; the answer is the only one (besides GET /:id/secret) that shows the secret. */
  async create(input: CreateWebhookDto): Promise<WebhookView> {
    await this.assertReachable(input.url);
    const trust = newTrustFields(input);
    const saved = await this.tx.run(async (m) => {
      const created = await m.save(
        m.create(Webhook, {
          ...input,
          ...trust,
          url_search: urlSearchForm(input.url),
          secret: input.secret ?? generateSecret(),
          enabled: input.enabled ?? true,
          ordered: input.ordered ?? false,
          description: input.description ?? null,
          timeout_ms: input.timeout_ms ?? null,
          rate_limit_per_second: input.rate_limit_per_second ?? null,
          headers: input.headers ?? null,
          filter: input.filter ?? null,
          template: input.template ?? null,
          previous_secrets: null,
          disabled_reason: null,
          failing_since: null,
        }),
      );
      await this.audit.record(m, audited('webhook.create', created.id));
      return created;
    });
    return presentWebhook(saved, true);
  }

  /** A page of webhooks, oldest first; with `q`, only those whose name or URL holds it. */
  async list(query: PageQuery & { q?: string }): Promise<Page<WebhookView>> {
    const [rows, total] = await whereSearched(this.webhooks.createQueryBuilder('w'), 'w', query.q)
      .orderBy('w.id', 'ASC')
      .skip(skipFor(query))
      .take(query.limit)
      .getManyAndCount();
    return toPage(
      rows.map((w) => presentWebhook(w)),
      total,
      query,
    );
  }

  async get(id: number): Promise<WebhookView> {
    return presentWebhook(await this.find(id));
  }

  async find(id: number): Promise<Webhook> {
    const webhook = await this.webhooks.findOneBy({ id });
    if (!webhook) throw new NotFoundException(`Webhook ${id} not found`);
    return webhook;
  }

  /**
   * Merges the given fields. Re-enabling clears `disabled_reason` and the failure window. The change
   * is announced inside its transaction (`WebhookChangedEvent`): the pipeline releases ordered streams
   * with it (the heads of a re-enabled webhook's streams, every waiting delivery of one no longer
   * ordered).
   */
  async update(id: number, given: UpdateWebhookDto): Promise<WebhookView> {
    // A masked URL or header value read from the API and sent back keeps the stored one.
    const input =
      given.url !== undefined || given.headers !== undefined || given.client_key !== undefined
        ? restoreMasked(given, await this.find(id))
        : given;
    if (input.url !== undefined) await this.assertReachable(input.url);
    const updated = await this.tx.run(async (m) => {
      const current = await m.findOneBy(Webhook, { id });
      if (!current) throw new NotFoundException(`Webhook ${id} not found`);
      const changes: Partial<Webhook> = { ...definedOnly(input), ...trustChanges(input, current) };
      if (changes.url !== undefined) changes.url_search = urlSearchForm(changes.url);
      if (input.enabled === true && !current.enabled) {
        changes.disabled_reason = null;
        changes.failing_since = null;
      }
      if (input.enabled === false && current.enabled)
        changes.disabled_reason = 'Disabled through the API';
      if (Object.keys(changes).length > 0)
        await m.update(Webhook, { id }, changes as QueryDeepPartialEntity<Webhook>);
      const after = { ...current, ...changes };
      await this.emitter.emitAsync(
        WebhookChangedEvent.NAME,
        new WebhookChangedEvent(current, after, m),
      );
      const fields = fieldNames(input);
      await this.audit.record(m, audited(updateAction(input, fields), id, fields));
      return after;
    });
    this.cache.invalidate(id);
    return presentWebhook(updated);
  }

  async remove(id: number): Promise<void> {
    await this.tx.run(async (m) => {
      const result = await m.delete(Webhook, { id });
      if (!result.affected) throw new NotFoundException(`Webhook ${id} not found`);
      await this.audit.record(m, audited('webhook.delete', id));
    });
    this.cache.invalidate(id);
  }

  /** Shows the secret; the reveal is recorded in the audit log before the secret is answered. */
  secret(id: number): Promise<{ id: number; secret: string }> {
    return this.tx.run(async (m) => {
      const webhook = await m.findOneBy(Webhook, { id });
      if (!webhook) throw new NotFoundException(`Webhook ${id} not found`);
      await this.audit.record(m, audited('webhook.secret_reveal', id));
      return { id: webhook.id, secret: webhook.secret };
    });
  }

  /** Shows the URL and custom headers unmasked; recorded in the audit log before they are answered. */
  credentials(
    id: number,
  ): Promise<{ id: number; url: string; headers: Record<string, string> | null }> {
    return this.tx.run(async (m) => {
      const webhook = await m.findOneBy(Webhook, { id });
      if (!webhook) throw new NotFoundException(`Webhook ${id} not found`);
      await this.audit.record(m, audited('webhook.credentials_reveal', id));
      return { id: webhook.id, url: webhook.url, headers: webhook.headers };
    });
  }

  /**
   * A new secret (hmac) or key pair (ed25519); the old one keeps signing too (in `webhook-signature`)
   * until the grace period ends. An ed25519 webhook's new private key is never shown: the answer
   * carries its public key.
   */
  async rotateSecret(id: number, input: RotateSecretDto): Promise<RotatedSecret> {
    const graceMs = (input.grace_period_seconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    const expiresAt = graceMs > 0 ? new Date(Date.now() + graceMs) : null;
    const rotated = await this.tx.run(async (m) => {
      const current = await m.findOneBy(Webhook, { id });
      if (!current) throw new NotFoundException(`Webhook ${id} not found`);
      if (current.signature_scheme === 'ed25519') {
        if (input.secret !== undefined)
          throw fieldError(
            'secret',
            'cannot be given for an ed25519 webhook: Homa generates its key pair',
          );
        const keys = rotatedSigningKeys(current, expiresAt);
        await m.update(Webhook, { id }, keys);
        await this.audit.record(m, audited('webhook.key_rotate', id));
        return { public_key: keys.public_key! };
      }
      const secret = input.secret ?? generateSecret();
      const stillValid = (current.previous_secrets ?? []).filter(
        (p) => Date.parse(p.expires_at) > Date.now(),
      );
      const previous = expiresAt
        ? [{ secret: current.secret, expires_at: expiresAt.toISOString() }, ...stillValid]
        : stillValid;
      await m.update(
        Webhook,
        { id },
        { secret, previous_secrets: previous.length > 0 ? previous : null },
      );
      await this.audit.record(m, audited('webhook.secret_rotate', id));
      return { secret };
    });
    this.cache.invalidate(id);
    return { id, ...rotated, previous_secret_expires_at: expiresAt?.toISOString() ?? null };
  }

  private async assertReachable(url: string): Promise<void> {
    const refusal = await this.guard.checkUrlAndResolve(url);
    if (refusal) throw fieldError('url', refusal.message);
  }
}
