import type { Webhook } from '../../webhooks/entities/webhook.entity';
import {
  renderTemplate,
  TemplateCache,
  TemplateError,
} from '../../webhooks/shaping/webhook-template';
import type { DeliveryJob } from '../leases/delivery-job';
import type { AttemptOutcome } from './webhook-sender';

/** The bytes an attempt sends, or why there are none. */
export type DeliveryBody =
  | {
      body: string;
      /** Rendered by this attempt: to be stored with its outcome. */ rendered?: string;
    }
  | { failure: AttemptOutcome };

/**
 * What a delivery sends: its event's body, shared by every untemplated delivery of the event; or, for
 * a webhook with a template, the rendered body — rendered by the first attempt, then stored with its
 * outcome so that every later attempt sends, signs and logs the same bytes. A template that fails
 * is the attempt's failure (`error_code` template, final: no retry renders it differently).
 */
export class DeliveryBodies {
  private readonly templates = new TemplateCache();

  async bodyOf(job: DeliveryJob, webhook: Webhook): Promise<DeliveryBody> {
    if (job.renderedBody) return { body: job.renderedBody };
    if (webhook.template === null) return { body: job.body };
    const started = Date.now();
    try {
      const template = this.templates.get(webhook.id, webhook.template);
      const rendered = await renderTemplate(template, JSON.parse(job.body));
      // Kept on the job too: a retry this process makes from it sends the same bytes.
      job.renderedBody = rendered;
      return { body: rendered, rendered };
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return {
        failure: {
          success: false,
          status_code: null,
          response: null,
          error_code: 'template',
          error: error.message,
          duration_ms: Date.now() - started,
          retry_after_ms: null,
          final: true,
        },
      };
    }
  }
}
