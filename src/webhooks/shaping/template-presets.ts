/**
 * Ready templates for chat tools, each turning every catalog event into a message: a one-line summary
 * (title, status, priority), a few facts, and a link to the ticket under PUBLIC_URL when it is set
 * (`<PUBLIC_URL>/tickets/<id>`). Each is a JSONata expression like any other template: an operator
 * picks one and may edit it.
 */
export interface TemplatePreset {
  name: string;
  label: string;
  /** What the receiving tool expects, and where its documentation says so. */
  description: string;
  template: string;
}

const str = (value: string) => JSON.stringify(value);

/** Binds $summary, $facts ([{title, value}]), $text (facts as lines) and $link (or undefined). */
function prelude(publicUrl: string | null): string {
  const link = publicUrl
    ? `$exists(data.ticket_id) ? ${str(publicUrl.replace(/\/+$/, ''))} & "/tickets/" & $id`
    : '()';
  return `$id := $string(data.ticket_id);
  $summary := (
    event = "ticket.created" ? "New ticket #" & $id & ": " & data.title :
    event = "ticket.updated" ? "Ticket #" & $id & " updated (" & $join($keys(data.changes), ", ") & "): " & data.title :
    event = "ticket.status_changed" ? "Ticket #" & $id & " is now " & data.new_status & " (was " & data.old_status & ")" :
    event = "ticket.closed" ? "Ticket #" & $id & " closed" :
    event = "ticket.assigned" ? "Ticket #" & $id & (data.user_id ? " assigned" : " unassigned") :
    event = "message.created" ? "New message from the " & data.author_type & " on ticket #" & $id :
    event = "client.created" ? "New client: " & data.name :
    event = "client.updated" ? "Client updated: " & data.name :
    event = "user.created" ? "New " & data.role & ": " & data.name :
    event = "user.updated" ? "User updated: " & data.name :
    event = "webhook.test" ? "Test from Homa: " & data.message :
    event = "webhook.disabled" ? "Webhook disabled: " & data.name & ": " & data.reason :
    event = "delivery.failed" ? "Delivery of " & data.event & " to " & data.webhook_name & " failed after " & $string(data.attempts) & " attempts" :
    event
  );
  $facts := [
    data.status ? {"title": "Status", "value": data.status},
    data.priority ? {"title": "Priority", "value": data.priority},
    data.author_type and data.body ? {"title": "Message", "value": $length(data.body) > 300 ? $substring(data.body, 0, 300) & "…" : data.body},
    data.email ? {"title": "Email", "value": data.email},
    data.last_error ? {"title": "Last error", "value": data.last_error}
  ];
  $text := $join($facts.(title & ": " & value), "\\n");
  $link := ${link};`;
}

function presets(): { name: string; label: string; description: string; shape: string }[] {
  return [
    {
      name: 'slack',
      label: 'Slack',
      description:
        'Slack incoming webhook: `text` (the notification fallback) and Block Kit `blocks` (https://api.slack.com/messaging/webhooks)',
      shape: `{
    "text": $summary,
    "blocks": [
      {"type": "section", "text": {"type": "mrkdwn", "text": "*" & $summary & "*" & ($text ? "\\n" & $text : "")}},
      $link ? {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "View ticket"}, "url": $link}]}
    ]
  }`,
    },
    {
      name: 'teams',
      label: 'Microsoft Teams',
      description:
        'Teams Workflows ("When a Teams webhook request is received"): a message with one Adaptive Card attachment (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using)',
      shape: `{
    "type": "message",
    "attachments": [{
      "contentType": "application/vnd.microsoft.card.adaptive",
      "contentUrl": null,
      "content": {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
          {"type": "TextBlock", "text": $summary, "weight": "Bolder", "size": "Medium", "wrap": true},
          $count($facts) > 0 ? {"type": "FactSet", "facts": $facts}
        ],
        "actions": $link ? [{"type": "Action.OpenUrl", "title": "View ticket", "url": $link}] : []
      }
    }]
  }`,
    },
    {
      name: 'discord',
      label: 'Discord',
      description:
        'Discord webhook: `content` (at most 2,000 characters) and `embeds` (https://discord.com/developers/docs/resources/webhook#execute-webhook)',
      shape: `{
    "content": $substring($summary, 0, 2000),
    "embeds": [{
      "title": $substring($summary, 0, 256),
      "description": $text ? $substring($text, 0, 4096),
      "url": $link,
      "color": event = "delivery.failed" or event = "webhook.disabled" ? 15158332 : 3447003,
      "timestamp": timestamp
    }]
  }`,
    },
    {
      name: 'mattermost',
      label: 'Mattermost',
      description:
        'Mattermost incoming webhook: Markdown `text` (https://developers.mattermost.com/integrate/webhooks/incoming/)',
      shape: `{
    "text": "**" & $summary & "**" & ($text ? "\\n" & $text : "") & ($link ? "\\n[View ticket](" & $link & ")" : ""),
    "username": "Homa"
  }`,
    },
    {
      name: 'google_chat',
      label: 'Google Chat',
      description:
        'Google Chat incoming webhook: a text message (https://developers.google.com/workspace/chat/quickstart/webhooks)',
      shape: `{
    "text": "*" & $summary & "*" & ($text ? "\\n" & $text : "") & ($link ? "\\n<" & $link & "|View ticket>" : "")
  }`,
    },
  ];
}

/** Every preset, its links under `publicUrl` (PUBLIC_URL) when there is one. */
export function templatePresets(publicUrl: string | null): TemplatePreset[] {
  return presets().map(({ shape, ...preset }) => ({
    ...preset,
    template: `(\n  ${prelude(publicUrl)}\n  ${shape}\n)`,
  }));
}

export const PRESET_NAMES = presets().map((p) => p.name);
