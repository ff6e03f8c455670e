import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Webhook } from '../../webhooks/entities/webhook.entity';
import { maskHeaders } from '../../webhooks/webhook-credentials';
import { DeliveryHeadersDto } from './dto/delivery-stats.dto';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { requestHeaders } from '../attempt/request-headers';

const OMITTED = ['X-Webhook-Signature', 'webhook-signature', 'webhook-timestamp'];
/** ed25519 webhooks send no `X-Webhook-Signature`. */
const OMITTED_ED25519 = ['webhook-signature', 'webhook-timestamp'];

/**
 * The request headers of a delivery's latest attempt, rebuilt from the delivery and its webhook
 * (they are not stored), minus the signatures and the timestamp they sign, custom values masked.
 */
@Injectable()
export class DeliveryHeadersService {
  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(Webhook) private readonly webhooks: Repository<Webhook>,
  ) {}

  async forDelivery(id: string): Promise<DeliveryHeadersDto> {
    const delivery = await this.deliveries.findOne({
      where: { id },
      select: { id: true, webhook_id: true, event: true, attempts: true, sequence: true },
    });
    if (!delivery) throw new NotFoundException(`Delivery ${id} not found`);
    const webhook = await this.webhooks.findOne({
      where: { id: delivery.webhook_id },
      select: { id: true, headers: true, signature_scheme: true },
    });
    const attempt = Math.max(delivery.attempts, 1);
    // Custom header values are credentials: shown masked, as in the webhook's own view.
    const headers = maskHeaders(webhook?.headers ?? null);
    return {
      delivery_id: delivery.id,
      attempt,
      headers: { ...requestHeaders(delivery, { headers }, attempt), 'webhook-id': delivery.id },
      omitted: webhook?.signature_scheme === 'ed25519' ? OMITTED_ED25519 : OMITTED,
    };
  }
}
