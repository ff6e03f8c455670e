import { CreateAuth1764300000000 } from './1764300000000-CreateAuth';
import { CreateTickets1764300100000 } from './1764300100000-CreateTickets';
import { CreateWebhooks1764300200000 } from './1764300200000-CreateWebhooks';
import { CreateEventOutbox1764400000000 } from './1764400000000-CreateEventOutbox';
import { EncryptWebhookSecrets1764500000000 } from './1764500000000-EncryptWebhookSecrets';
import { CreateAuditLog1764500100000 } from './1764500100000-CreateAuditLog';
import { AddAlertFlags1764500200000 } from './1764500200000-AddAlertFlags';
import { OrderedDelivery1764600000000 } from './1764600000000-OrderedDelivery';
import { TicketClientName1764700000000 } from './1764700000000-TicketClientName';
import { SessionControl1764700100000 } from './1764700100000-SessionControl';
import { EncryptWebhookCredentials1764700200000 } from './1764700200000-EncryptWebhookCredentials';
import { WebhookFiltersAndTemplates1765100000000 } from './1765100000000-WebhookFiltersAndTemplates';
import { WebhookSignaturesAndClientCertificates1765300000000 } from './1765300000000-WebhookSignaturesAndClientCertificates';
import { EndpointPacing1765300100000 } from './1765300100000-EndpointPacing';
import { EventTraceContext1765300200000 } from './1765300200000-EventTraceContext';
import { ManyWebhooks1765300400000 } from './1765300400000-ManyWebhooks';

/** Every migration, in order. Listed explicitly so the same list works from src/ (tests) and dist/. */
export const migrations = [
  CreateAuth1764300000000,
  CreateTickets1764300100000,
  CreateWebhooks1764300200000,
  CreateEventOutbox1764400000000,
  EncryptWebhookSecrets1764500000000,
  CreateAuditLog1764500100000,
  AddAlertFlags1764500200000,
  OrderedDelivery1764600000000,
  TicketClientName1764700000000,
  SessionControl1764700100000,
  EncryptWebhookCredentials1764700200000,
  WebhookFiltersAndTemplates1765100000000,
  WebhookSignaturesAndClientCertificates1765300000000,
  EndpointPacing1765300100000,
  EventTraceContext1765300200000,
  ManyWebhooks1765300400000,
];
