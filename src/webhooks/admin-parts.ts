import { AuthModule } from '../auth/auth.module';
import { WebhooksController } from './webhooks.controller';

/**
 * The webhooks module's admin API (a process that serves HTTP), in a file of its own: the CLI's webhook
 * commands never load the routes or sign-in, nor open sign-in's Redis connection.
 */
export const adminImports = [AuthModule];
export const adminControllers = [WebhooksController];
