import { PartialType } from '@nestjs/swagger';
import { CreateWebhookDto } from './create-webhook.dto';

/** PUT and PATCH both merge: only the fields given change. */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto) {}
