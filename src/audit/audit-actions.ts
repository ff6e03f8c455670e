/**
 * Every action the audit log records: what `audit:list --action` and the API's `action` filter
 * accept, and what their help lists. A new audited action is added here first (AuditRecord takes
 * only these).
 */
export const AUDIT_ACTIONS = [
  'webhook.create',
  'webhook.update',
  'webhook.enable',
  'webhook.disable',
  'webhook.delete',
  'webhook.test',
  'webhook.secret_reveal',
  'webhook.credentials_reveal',
  'webhook.secret_rotate',
  'webhook.key_rotate',
  'webhook.recover',
  'delivery.redeliver',
  'user.create',
  'user.update',
  'api_key.create',
  'api_key.revoke',
  'auth.login_failed',
  'auth.login_refused',
  'auth.logout',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
