import jsonata from 'jsonata';

/**
 * A webhook's template: a JSONata expression (declarative, JSON in and out, no code of the host)
 * evaluated with the event's body as input; its result, serialised once, is the body sent. Evaluation
 * is bounded by JSONata's own guardrails (time, stack depth, sequence length) and the result in size.
 */
export const TEMPLATE_LIMITS = {
  /** Characters of the expression. */
  length: 16_384,
  /** Milliseconds of one evaluation. */
  timeoutMs: 250,
  /** Nested evaluations (recursion). */
  stack: 200,
  /** Items of one sequence. */
  sequence: 10_000,
  /** Bytes of the rendered body. */
  outputBytes: 256 * 1024,
} as const;

/** A template that does not parse, or whose evaluation failed: the message says which and why. */
export class TemplateError extends Error {}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
}

function describe(error: unknown): string {
  const e = error as JsonataFailure;
  const where = typeof e.position === 'number' ? ` at position ${e.position}` : '';
  return `${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}${where}`;
}

export type CompiledTemplate = jsonata.Expression;

/** Parses a template; throws a TemplateError saying what does not parse. */
export function compileTemplate(template: string): CompiledTemplate {
  if (template.length > TEMPLATE_LIMITS.length)
    throw new TemplateError(`template is longer than ${TEMPLATE_LIMITS.length} characters`);
  try {
    return jsonata(template, {
      timeout: TEMPLATE_LIMITS.timeoutMs,
      stack: TEMPLATE_LIMITS.stack,
      sequence: TEMPLATE_LIMITS.sequence,
    });
  } catch (error) {
    throw new TemplateError(`template does not parse: ${describe(error)}`);
  }
}

/** The problem with a template, or null when it can be saved. */
export function templateProblem(template: unknown): string | null {
  if (typeof template !== 'string') return 'template must be a string (a JSONata expression)';
  if (template.trim() === '') return 'template must not be empty';
  try {
    compileTemplate(template);
    return null;
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
}

/**
 * Evaluates a template with an event's body as input and serialises the result: the exact body to
 * send. Throws a TemplateError when evaluation fails, takes too long, recurses too deep, yields
 * nothing, or yields more than the output limit.
 */
export async function renderTemplate(template: CompiledTemplate, body: unknown): Promise<string> {
  let result: unknown;
  try {
    result = await template.evaluate(body);
  } catch (error) {
    throw new TemplateError(`template failed: ${describe(error)}`);
  }
  if (result === undefined) throw new TemplateError('template failed: it produced no value');
  let rendered: string | undefined;
  try {
    rendered = JSON.stringify(result);
  } catch (error) {
    throw new TemplateError(`template failed: its result is not JSON (${describe(error)})`);
  }
  if (rendered === undefined)
    throw new TemplateError('template failed: its result is not JSON (a function?)');
  if (Buffer.byteLength(rendered, 'utf8') > TEMPLATE_LIMITS.outputBytes)
    throw new TemplateError(
      `template failed: its result is larger than ${TEMPLATE_LIMITS.outputBytes} bytes`,
    );
  return rendered;
}

/** Caches compiled templates per webhook, recompiled when the webhook's template text changes. */
export class TemplateCache {
  private readonly compiled = new Map<number, { text: string; template: CompiledTemplate }>();

  get(webhookId: number, text: string): CompiledTemplate {
    const hit = this.compiled.get(webhookId);
    if (hit && hit.text === text) return hit.template;
    const template = compileTemplate(text);
    this.compiled.set(webhookId, { text, template });
    return template;
  }
}
