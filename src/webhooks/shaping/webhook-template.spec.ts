import {
  compileTemplate,
  renderTemplate,
  TEMPLATE_LIMITS,
  TemplateCache,
  templateProblem,
} from './webhook-template';

const body = {
  event: 'ticket.created',
  timestamp: '2024-01-15T10:30:00Z',
  data: { ticket_id: 123, title: 'Login Issue', priority: 'urgent' },
};

describe('webhook templates (JSONata)', () => {
  const render = (expression: string, input: unknown = body) =>
    renderTemplate(compileTemplate(expression), input);

  it('renders the event body into the shape the template builds, serialised once', async () => {
    await expect(
      render(
        '{"text": "#" & $string(data.ticket_id) & " " & data.title, "urgent": data.priority = "urgent"}',
      ),
    ).resolves.toBe('{"text":"#123 Login Issue","urgent":true}');
    await expect(render('$')).resolves.toBe(JSON.stringify(body));
  });

  it('says what does not parse', () => {
    expect(templateProblem('{"a": ')).toMatch(/^template does not parse: S0\d+/);
    expect(templateProblem('data.ticket_id')).toBeNull();
  });

  it('bounds evaluation in time, depth and output size', async () => {
    await expect(render('( $f := function($n) { $f($n + 1) }; $f(0) )')).rejects.toThrow(
      /template failed: (D1011|D1012)/,
    );
    await expect(
      render('( $loop := function($n) { $n > 1e9 ? $n : $loop($n + 1) }; $loop(0) )'),
    ).rejects.toThrow(/template failed/);
    await expect(render(`$pad("", ${TEMPLATE_LIMITS.outputBytes + 10}, "x")`)).rejects.toThrow(
      /larger than 262144 bytes/,
    );
    await expect(render('[1..20000]')).rejects.toThrow(/template failed: D2015|template failed/);
  });

  it('fails, rather than sending nothing, when the template yields no value or a function', async () => {
    await expect(render('data.missing')).rejects.toThrow(/produced no value/);
    await expect(render('function($x) { $x }')).rejects.toThrow(/not JSON/);
    await expect(render('$error("stop")')).rejects.toThrow(/template failed: .*stop/);
  });

  it('compiles each webhook template once until its text changes', () => {
    const cache = new TemplateCache();
    const first = cache.get(1, 'data');
    expect(cache.get(1, 'data')).toBe(first);
    expect(cache.get(1, 'data.title')).not.toBe(first);
  });
});
