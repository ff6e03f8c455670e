import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EVENT_CATALOG } from '../../events/event-catalog';
import { templatePresets } from './template-presets';
import { compileTemplate, renderTemplate } from './webhook-template';

/** The message shapes each tool documents (required fields and limits), as JSON Schemas. */
const text = (max?: number) => ({
  type: 'string',
  minLength: 1,
  ...(max ? { maxLength: max } : {}),
});
const TOOL_SHAPES: Record<string, object> = {
  // https://api.slack.com/messaging/webhooks: `text`, or `blocks` (then `text` is the fallback).
  slack: {
    type: 'object',
    required: ['text', 'blocks'],
    properties: {
      text: text(),
      blocks: {
        type: 'array',
        maxItems: 50,
        items: {
          type: 'object',
          required: ['type'],
          properties: { type: { enum: ['section', 'actions'] } },
        },
      },
    },
  },
  // Teams Workflows: a message whose attachments hold Adaptive Cards.
  teams: {
    type: 'object',
    required: ['type', 'attachments'],
    properties: {
      type: { const: 'message' },
      attachments: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['contentType', 'content'],
          properties: {
            contentType: { const: 'application/vnd.microsoft.card.adaptive' },
            content: {
              type: 'object',
              required: ['type', 'version', 'body'],
              properties: {
                type: { const: 'AdaptiveCard' },
                version: { type: 'string' },
                body: { type: 'array', minItems: 1, items: { type: 'object', required: ['type'] } },
                actions: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['type', 'title', 'url'],
                    properties: { url: { format: 'uri' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  // https://discord.com/developers/docs/resources/webhook#execute-webhook: content ≤ 2000, ≤ 10 embeds.
  discord: {
    type: 'object',
    anyOf: [{ required: ['content'] }, { required: ['embeds'] }],
    properties: {
      content: text(2000),
      embeds: {
        type: 'array',
        maxItems: 10,
        items: {
          type: 'object',
          properties: {
            title: text(256),
            description: text(4096),
            url: { type: 'string', format: 'uri' },
            color: { type: 'integer' },
            timestamp: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  },
  // Mattermost incoming webhooks: `text` (or attachments).
  mattermost: { type: 'object', required: ['text'], properties: { text: text(16383) } },
  // Google Chat incoming webhooks: a `text` message (or cards).
  google_chat: { type: 'object', required: ['text'], properties: { text: text(4096) } },
};

describe('template presets', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const envelope = (event: string, data: Record<string, unknown>) => ({
    event,
    timestamp: '2024-01-15T10:30:00Z',
    data,
  });

  it('offers slack, teams, discord, mattermost and google_chat', () => {
    expect(templatePresets(null).map((p) => p.name)).toEqual(Object.keys(TOOL_SHAPES));
  });

  describe.each(templatePresets('https://help.example.com/').map((p) => [p.name, p]))(
    '%s',
    (name, preset) => {
      const validate = ajv.compile(TOOL_SHAPES[name]);
      const template = compileTemplate(preset.template);

      it.each(EVENT_CATALOG.map((e) => [e.event, e.sample]))(
        'turns %s into the shape the tool documents',
        async (event, sample) => {
          const body = JSON.parse(await renderTemplate(template, envelope(event, sample)));
          expect(validate.errors ?? null).toBeNull();
          expect(validate(body)).toBe(true);
          const rendered = JSON.stringify(body);
          if ('ticket_id' in sample)
            expect(rendered).toContain(
              `https://help.example.com/tickets/${String(sample.ticket_id)}`,
            );
          else expect(rendered).not.toContain('/tickets/');
        },
      );
    },
  );

  it('summarises a ticket with its title, status and priority, without links when PUBLIC_URL is unset', async () => {
    const slack = templatePresets(null).find((p) => p.name === 'slack')!;
    const sample = EVENT_CATALOG[0].sample;
    const body = JSON.parse(
      await renderTemplate(compileTemplate(slack.template), envelope('ticket.created', sample)),
    );
    expect(body.text).toBe('New ticket #123: Login Issue');
    expect(body.blocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*New ticket #123: Login Issue*\nStatus: new\nPriority: medium',
        },
      },
    ]);
  });
});
