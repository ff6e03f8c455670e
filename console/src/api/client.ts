import type { components, operations } from './schema';

type Schemas = components['schemas'];
export type Webhook = Schemas['WebhookResponseDto'];
export type WebhookInput = Schemas['CreateWebhookDto'];
export type WebhookPage = Schemas['WebhookPageResponseDto'];
export type CatalogEntry = Schemas['CatalogEntryDto'];
export type WebhookHealth = Schemas['WebhookHealthDto'];
export type MinuteBucket = Schemas['MinuteBucketDto'];
export type PerMinute = Schemas['DeliveriesPerMinuteDto'];
export type Delivery = Schemas['DeliveryResponseDto'];
export type DeliveryPage = Schemas['DeliveryPageResponseDto'];
export type DeliveryDetail = Schemas['DeliveryDetailResponseDto'];
export type DeliveryHeaders = Schemas['DeliveryHeadersDto'];
export type AttemptResult = Schemas['AttemptResultDto'];
export type RotatedSecret = Schemas['RotatedSecretDto'];
export type WebhookCredentials = Schemas['WebhookCredentialsDto'];
export type RecoverResult = Schemas['RecoverResultDto'];
export type TemplatePreset = Schemas['TemplatePresetDto'];
export type PreviewInput = Schemas['PreviewWebhookDto'];
export type PreviewResult = Schemas['PreviewResultDto'];
export type WebhookHealthPage = Schemas['WebhookHealthListDto'];
export type WebhookQuery = NonNullable<
  operations['WebhooksController_list']['parameters']['query']
>;
export type DeliveryQuery = NonNullable<
  operations['DeliveriesController_list']['parameters']['query']
>;

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
}

export interface FieldError {
  field: string;
  errors: string[];
}

/** An answer other than 2xx, shaped `{statusCode, error, message, details?}` by the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }

  /** The API's message for one field (e.g. `url`), if the 400 named it. */
  forField(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.errors.join('; ');
  }
}

const TOKEN_KEY = 'homa.console.token';

let onUnauthorized: () => void = () => undefined;

/** Called when the API answers 401 to a signed-in request (an expired or revoked token). */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

function query(params: object): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = storedToken();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data ?? {}) as { message?: string; details?: unknown };
    if (res.status === 401 && token && path !== '/api/auth/login') onUnauthorized();
    throw new ApiError(
      res.status,
      err.message ?? `HTTP ${res.status}`,
      Array.isArray(err.details) ? (err.details as FieldError[]) : [],
    );
  }
  return data as T;
}

export const api = {
  login: (email: string, password: string) =>
    request<{ access_token: string; user: SignedInUser }>('POST', '/api/auth/login', {
      email,
      password,
    }),
  me: () => request<SignedInUser>('GET', '/api/auth/me'),
  logout: () => request<void>('POST', '/api/auth/logout'),
  catalog: () => request<{ data: CatalogEntry[] }>('GET', '/api/admin/webhook-events'),
  webhooks: (q: WebhookQuery = {}) =>
    request<WebhookPage>('GET', `/api/admin/webhooks${query({ page: 1, limit: 100, ...q })}`),
  webhook: (id: number) => request<Webhook>('GET', `/api/admin/webhooks/${id}`),
  createWebhook: (body: WebhookInput) => request<Webhook>('POST', '/api/admin/webhooks', body),
  updateWebhook: (id: number, body: Partial<WebhookInput>) =>
    request<Webhook>('PATCH', `/api/admin/webhooks/${id}`, body),
  deleteWebhook: (id: number) => request<void>('DELETE', `/api/admin/webhooks/${id}`),
  secret: (id: number) => request<{ secret: string }>('GET', `/api/admin/webhooks/${id}/secret`),
  credentials: (id: number) =>
    request<WebhookCredentials>('GET', `/api/admin/webhooks/${id}/credentials`),
  rotateSecret: (id: number, grace_period_seconds: number) =>
    request<RotatedSecret>('POST', `/api/admin/webhooks/${id}/rotate-secret`, {
      grace_period_seconds,
    }),
  testWebhook: (id: number, event: string) =>
    request<AttemptResult>('POST', `/api/admin/webhooks/${id}/test${query({ event })}`),
  recover: (id: number, since: string) =>
    request<RecoverResult>('POST', `/api/admin/webhooks/${id}/recover`, { since }),
  health: (q: WebhookQuery = {}) =>
    request<WebhookHealthPage>('GET', `/api/admin/webhook-health${query(q)}`),
  webhookHealth: (id: number) => request<WebhookHealth>('GET', `/api/admin/webhooks/${id}/health`),
  perMinute: (id: number) =>
    request<PerMinute>(
      'GET',
      `/api/admin/webhooks/${id}/deliveries-per-minute${query({ minutes: 60 })}`,
    ),
  deliveries: (q: DeliveryQuery) =>
    request<DeliveryPage>('GET', `/api/admin/webhook_deliveries${query(q)}`),
  delivery: (id: string) => request<DeliveryDetail>('GET', `/api/admin/webhook_deliveries/${id}`),
  deliveryHeaders: (id: string) =>
    request<DeliveryHeaders>('GET', `/api/admin/webhook_deliveries/${id}/headers`),
  templatePresets: () => request<{ data: TemplatePreset[] }>('GET', '/api/admin/webhook-templates'),
  preview: (body: PreviewInput) =>
    request<PreviewResult>('POST', '/api/admin/webhooks/preview', body),
  redeliver: (id: string) =>
    request<AttemptResult>('POST', `/api/admin/webhook_deliveries/${id}/redeliver`),
};
