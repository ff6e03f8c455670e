import { AuthModule } from '../../auth/auth.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryStatsController } from './delivery-stats.controller';
import { WebhookActionsController } from './webhook-actions.controller';

/**
 * The deliveries module's admin API (a process that serves HTTP), in a file of its own: the delivery
 * thread never loads the routes, sign-in and their validation and Swagger metadata.
 */
export const adminImports = [AuthModule];
export const adminControllers = [
  DeliveriesController,
  DeliveryStatsController,
  WebhookActionsController,
];
