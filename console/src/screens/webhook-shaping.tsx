import { useEffect, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  CatalogEntry,
  PreviewInput,
  PreviewResult,
  TemplatePreset,
} from '../api/client';
import { Field } from '../components/field';
import { errorMessage } from '../hooks';

/** The filter as typed: empty (none), or JSON that must parse. */
export function parseFilter(text: string): Record<string, unknown> | null | Error {
  if (text.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : new Error('filter must be a JSON object');
  } catch {
    return new Error('filter must be valid JSON');
  }
}

const PREVIEW_DELAY_MS = 300;

/**
 * The filter and template of a webhook, with presets and a live preview: what the receiver would get
 * for a sample of the chosen event, asked of the API (POST /api/admin/webhooks/preview) as they type.
 */
export function WebhookShaping(props: {
  catalog: CatalogEntry[];
  filter: string;
  template: string;
  onFilter: (text: string) => void;
  onTemplate: (text: string) => void;
  errorFor: (field: string) => string | undefined;
}) {
  const [presets, setPresets] = useState<TemplatePreset[]>([]);
  const [event, setEvent] = useState(props.catalog[0]?.event ?? 'ticket.created');
  const [preview, setPreview] = useState<PreviewResult>();
  const [previewError, setPreviewError] = useState<string>();

  useEffect(() => {
    api
      .templatePresets()
      .then((r) => setPresets(r.data))
      .catch(() => setPresets([]));
  }, []);

  useEffect(() => {
    const filter = parseFilter(props.filter);
    if (filter instanceof Error) {
      setPreview(undefined);
      setPreviewError(filter.message);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api
        .preview({
          event: event as PreviewInput['event'],
          filter,
          template: props.template.trim() ? props.template : null,
        })
        .then((r) => {
          if (!current) return;
          setPreview(r);
          setPreviewError(undefined);
        })
        .catch((e) => {
          if (!current) return;
          setPreview(undefined);
          setPreviewError(
            e instanceof ApiError && e.fields.length > 0
              ? e.fields.map((f) => f.errors.join('; ')).join('; ')
              : errorMessage(e),
          );
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [event, props.filter, props.template]);

  return (
    <fieldset class="shaping">
      <legend>Filter and template</legend>
      <Field
        id="filter"
        label="Filter (JSON)"
        hint='Only events whose body matches, e.g. {"data": {"priority": {"$in": ["high", "urgent"]}}}. Empty: every event.'
        error={props.errorFor('filter')}
      >
        {(aria) => (
          <textarea
            {...aria}
            rows={4}
            spellcheck={false}
            value={props.filter}
            onInput={(e) => props.onFilter(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field id="preset" label="Start from a preset">
        {(aria) => (
          <select
            {...aria}
            value=""
            onChange={(e) => {
              const chosen = presets.find((p) => p.name === e.currentTarget.value);
              if (chosen) props.onTemplate(chosen.template);
            }}
          >
            <option value="">Choose a preset…</option>
            {presets.map((p) => (
              <option value={p.name} key={p.name}>
                {p.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        id="template"
        label="Template (JSONata)"
        hint="Its result is the body sent and signed. Empty: the event body as is."
        error={props.errorFor('template')}
      >
        {(aria) => (
          <textarea
            {...aria}
            rows={6}
            spellcheck={false}
            value={props.template}
            onInput={(e) => props.onTemplate(e.currentTarget.value)}
          />
        )}
      </Field>
      <section aria-labelledby="preview-title" class="preview">
        <h2 id="preview-title">Preview</h2>
        <Field id="preview-event" label="Sample event">
          {(aria) => (
            <select {...aria} value={event} onChange={(e) => setEvent(e.currentTarget.value)}>
              {props.catalog.map((c) => (
                <option value={c.event} key={c.event}>
                  {c.event}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div aria-live="polite">
          {previewError && <p class="field-error">Preview: {previewError}</p>}
          {preview && (
            <>
              <p>
                {preview.matched
                  ? 'The filter keeps this event; the receiver gets:'
                  : 'The filter drops this event: nothing is sent. The body would be:'}
              </p>
              <pre aria-label="Preview body">{JSON.stringify(preview.body, null, 2)}</pre>
            </>
          )}
        </div>
      </section>
    </fieldset>
  );
}
