import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, CatalogEntry, Webhook, WebhookInput } from '../api/client';
import { Field } from '../components/field';
import { Link } from '../components/link';
import { errorMessage, usePolled } from '../hooks';
import { navigate } from '../router';
import { parseFilter, WebhookShaping } from './webhook-shaping';
import { RateLimitField } from './webhook-pacing';
import {
  EMPTY_TRUST,
  TRUST_FIELDS,
  trustBody,
  trustFromWebhook,
  TrustState,
  WebhookTrustFields,
} from './webhook-trust';

type Flags = Record<string, boolean>;

/** Fields whose errors show beside their input; any other shows under the events. */
const PLACED = [
  'name',
  'url',
  'description',
  'timeout_ms',
  'rate_limit_per_second',
  'filter',
  'template',
  ...TRUST_FIELDS,
];

interface FormState {
  name: string;
  url: string;
  description: string;
  timeout_ms: string;
  rate_limit_per_second: string;
  enabled: boolean;
  ordered: boolean;
  event_all: boolean;
  flags: Flags;
  filter: string;
  template: string;
  trust: TrustState;
}

const EMPTY: FormState = {
  name: '',
  url: '',
  description: '',
  timeout_ms: '',
  rate_limit_per_second: '',
  enabled: true,
  ordered: false,
  event_all: false,
  flags: {},
  filter: '',
  template: '',
  trust: EMPTY_TRUST,
};

function fromWebhook(w: Webhook, catalog: CatalogEntry[]): FormState {
  const record = w as unknown as Record<string, unknown>;
  const flags: Flags = {};
  for (const e of catalog) if (e.flag) flags[e.flag] = record[e.flag] === true;
  return {
    name: w.name,
    url: w.url,
    description: w.description ?? '',
    timeout_ms: w.timeout_ms === null ? '' : String(w.timeout_ms),
    rate_limit_per_second: w.rate_limit_per_second === null ? '' : String(w.rate_limit_per_second),
    enabled: w.enabled,
    ordered: w.ordered,
    event_all: w.event_all,
    flags,
    filter: w.filter ? JSON.stringify(w.filter, null, 2) : '',
    template: w.template ?? '',
    trust: trustFromWebhook(w),
  };
}

function toBody(form: FormState): WebhookInput {
  const filter = parseFilter(form.filter);
  if (filter instanceof Error)
    throw new ApiError(400, filter.message, [{ field: 'filter', errors: [filter.message] }]);
  return {
    filter,
    template: form.template.trim() ? form.template : null,
    name: form.name,
    url: form.url,
    description: form.description || undefined,
    enabled: form.enabled,
    ordered: form.ordered,
    event_all: form.event_all,
    ...(form.timeout_ms ? { timeout_ms: Number(form.timeout_ms) } : {}),
    rate_limit_per_second: form.rate_limit_per_second ? Number(form.rate_limit_per_second) : null,
    ...form.flags,
    ...trustBody(form.trust),
  } as WebhookInput;
}

/** An update leaves the stored URL (with its credentials) alone unless the URL was edited. */
function changedUrlOnly(body: WebhookInput, shownUrl: string | undefined): Partial<WebhookInput> {
  if (body.url !== shownUrl) return body;
  const { url, ...rest } = body;
  return rest;
}

/** Create (no id) or edit a webhook; the API's field errors show beside their field. */
export function WebhookForm(props: { id?: number }) {
  const catalog = usePolled(() => api.catalog(), []);
  const [form, setForm] = useState<FormState>(EMPTY);
  const [error, setError] = useState<ApiError | string>();
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(props.id === undefined);
  // The URL as the API showed it (credentials masked): sent back only when it was changed.
  const [shownUrl, setShownUrl] = useState<string>();
  const events = (catalog.data?.data ?? []).filter((e) => e.flag);

  useEffect(() => {
    if (props.id === undefined || !catalog.data) return;
    api
      .webhook(props.id)
      .then((w) => {
        setForm(fromWebhook(w, catalog.data?.data ?? []));
        setShownUrl(w.url);
        setLoaded(true);
      })
      .catch((e) => setError(errorMessage(e)));
  }, [props.id, catalog.data]);

  const fieldError = (name: string) =>
    error instanceof ApiError ? error.forField(name) : undefined;
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const saved =
        props.id === undefined
          ? await api.createWebhook(toBody(form))
          : await api.updateWebhook(props.id, changedUrlOnly(toBody(form), shownUrl));
      navigate(`/webhooks/${saved.id}`);
    } catch (err) {
      setError(err instanceof ApiError ? err : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const title = props.id === undefined ? 'New webhook' : 'Edit webhook';
  const unplaced =
    error instanceof ApiError ? error.fields.filter((f) => !PLACED.includes(f.field)) : [];
  if (!loaded || !catalog.data)
    return (
      <section aria-labelledby="form-title">
        <h1 id="form-title">{title}</h1>
        {typeof error === 'string' ? <p class="error">{error}</p> : <p>Loading…</p>}
      </section>
    );
  return (
    <section aria-labelledby="form-title">
      <h1 id="form-title">{title}</h1>
      <form onSubmit={(e) => void submit(e)} class="webhook-form" noValidate>
        {typeof error === 'string' && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {error instanceof ApiError && error.fields.length === 0 && (
          <p class="error" role="alert">
            {error.message}
          </p>
        )}
        <Field id="name" label="Name" error={fieldError('name')}>
          {(aria) => (
            <input
              {...aria}
              required
              value={form.name}
              onInput={(e) => set('name', e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id="url"
          label="URL"
          hint={
            props.id === undefined
              ? 'An http(s) address on the public internet that accepts POST requests'
              : 'Credentials in it show as ********; to change the URL, type it whole'
          }
          error={fieldError('url')}
        >
          {(aria) => (
            <input
              {...aria}
              type="url"
              required
              value={form.url}
              onInput={(e) => set('url', e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="description" label="Description" error={fieldError('description')}>
          {(aria) => (
            <input
              {...aria}
              value={form.description}
              onInput={(e) => set('description', e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id="timeout_ms"
          label="Timeout (ms)"
          hint="Leave empty for the server's default"
          error={fieldError('timeout_ms')}
        >
          {(aria) => (
            <input
              {...aria}
              inputMode="numeric"
              value={form.timeout_ms}
              onInput={(e) => set('timeout_ms', e.currentTarget.value)}
            />
          )}
        </Field>
        <RateLimitField
          value={form.rate_limit_per_second}
          error={fieldError('rate_limit_per_second')}
          onInput={(v) => set('rate_limit_per_second', v)}
        />
        <div class="check">
          <input
            id="enabled"
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => set('enabled', e.currentTarget.checked)}
          />
          <label for="enabled">Enabled</label>
        </div>
        <div class="check">
          <input
            id="ordered"
            type="checkbox"
            checked={form.ordered}
            onChange={(e) => set('ordered', e.currentTarget.checked)}
          />
          <label for="ordered">
            Ordered: deliver each ticket's events one at a time, in the order they happened
          </label>
        </div>
        <fieldset>
          <legend>Events</legend>
          <div class="check">
            <input
              id="event_all"
              type="checkbox"
              checked={form.event_all}
              onChange={(e) => set('event_all', e.currentTarget.checked)}
            />
            <label for="event_all">All events, including ones added later</label>
          </div>
          {events.map((ev) => {
            const flag = ev.flag as string;
            return (
              <div class="check" key={flag}>
                <input
                  id={flag}
                  type="checkbox"
                  disabled={form.event_all}
                  checked={form.event_all || form.flags[flag] === true}
                  aria-describedby={`${flag}-description`}
                  onChange={(e) => set('flags', { ...form.flags, [flag]: e.currentTarget.checked })}
                />
                <label for={flag}>
                  <code>{ev.event}</code>
                </label>
                <span class="muted" id={`${flag}-description`}>
                  {ev.description}
                </span>
              </div>
            );
          })}
          {unplaced.map((f) => (
            <p class="field-error" role="alert" key={f.field}>
              {f.errors.join('; ')}
            </p>
          ))}
        </fieldset>
        <WebhookShaping
          catalog={catalog.data.data}
          filter={form.filter}
          template={form.template}
          onFilter={(text) => set('filter', text)}
          onTemplate={(text) => set('template', text)}
          errorFor={fieldError}
        />
        <WebhookTrustFields
          value={form.trust}
          onChange={(trust) => set('trust', trust)}
          errorFor={fieldError}
        />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {props.id === undefined ? 'Create webhook' : 'Save changes'}
          </button>
          <Link to={props.id === undefined ? '/' : `/webhooks/${props.id}`}>Cancel</Link>
        </div>
      </form>
    </section>
  );
}
