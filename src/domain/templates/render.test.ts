import { describe, expect, it } from 'vitest';
import { prepare, renderObject, renderString, templateError } from './render.js';
import type { EscapeMode } from './escape.js';

const vars = {
  a: 1,
  b: '2',
  c: true,
  d: null,
  e: undefined,
  f: { g: 3, h: null },
  i: [42, 43, 44],
  j: [5, { f: 6, g: 7 }],
  k: 'a *bold* and _it_',
  link: 'https://example.com/a_b*c',
  quote: 'say "hi"\n\\end',
};

const render = (template: string, escape: EscapeMode = 'none', variables: Record<string, unknown> = vars) =>
  renderString(template, prepare(variables), { escape });

describe('variable preparation', () => {
  it('renders primitives, null and undefined as Kibana does', () => {
    expect(render('{{a}} {{b}} {{c}} [{{d}}] [{{e}}] [{{missing}}]')).toBe('1 2 true [] [] []');
  });

  it('renders objects as JSON through toString', () => {
    expect(render('{{f}}')).toBe('{"g":3,"h":null}');
    expect(render('{{{f}}}')).toBe('{"g":3,"h":null}');
  });

  it('renders arrays comma-joined and asJSON as JSON', () => {
    expect(render('{{i}}')).toBe('42,43,44');
    expect(render('{{i.asJSON}}')).toBe('[42,43,44]');
    expect(render('{{j}}')).toBe('5,{"f":6,"g":7}');
    expect(render('{{j.asJSON}}')).toBe('[5,{"f":6,"g":7}]');
  });

  it('expands dotted keys and merges them into existing objects', () => {
    const dotted = { 'kibana.alert.rule.name': 'cpu high', kibana: { alert: { uuid: 'u1' } } };
    expect(render('{{kibana.alert.rule.name}} {{kibana.alert.uuid}}', 'none', dotted)).toBe('cpu high u1');
    expect(render('{{a}}', 'none', { a: 1, 'a.b': 2 })).toBe('{"b":2}');
  });

  it('expands dotted keys nested inside objects and arrays', () => {
    expect(render('{{context.host.name}}', 'none', { context: { 'host.name': 'web-1' } })).toBe('web-1');
    expect(render('{{#list}}{{x.y}}{{/list}}', 'none', { list: [{ 'x.y': 'p' }, { 'x.y': 'q' }] })).toBe(
      'pq',
    );
  });

  it('ignores __proto__ and constructor segments (no prototype pollution)', () => {
    const polluted = JSON.parse(
      '{"__proto__.polluted": "yes", "a.constructor.prototype.bad": 1, "ok.x": 2}',
    ) as Record<string, unknown>;
    expect(render('{{ok.x}}', 'none', polluted)).toBe('2');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).bad).toBeUndefined();
  });

  it('does not change the caller’s variables and drops functions like a JSON round trip', () => {
    const input = { 'x.y': 1, when: new Date('2024-01-02T03:04:05Z'), fn: () => 'no' };
    const prepared = prepare(input);
    expect(Object.keys(input)).toEqual(['x.y', 'when', 'fn']);
    expect(renderString('{{when}} [{{fn}}]', prepared)).toBe('2024-01-02T03:04:05.000Z []');
  });

  it('keeps an own toString key (so such an object cannot render whole, as in Kibana)', () => {
    expect(render('{{o}}', 'none', { o: { toString: 'mine' } })).toBe(
      'error rendering mustache template "{{o}}": Cannot convert object to primitive value',
    );
    expect(render('{{o.toString}}', 'none', { o: { toString: 'mine' } })).toBe('mine');
  });

  it('lets user variables override lambdas', () => {
    expect(render('{{#EvalMath}}1+1{{/EvalMath}}', 'none', { EvalMath: 'mine' })).toBe('1+1');
  });
});

describe('escape modes', () => {
  it('none leaves values as they are', () => {
    expect(render('{{k}} {{quote}}')).toBe('a *bold* and _it_ say "hi"\n\\end');
  });

  it('markdown escapes the markdown specials and nothing else', () => {
    expect(render('{{f}}', 'markdown')).toBe('\\{"g":3,"h":null\\}');
    expect(render('{{x}}', 'markdown', { x: '*_`|\\[]()#+-.!<>&"' })).toBe(
      '\\*\\_\\`\\|\\\\\\[\\]\\(\\)\\#\\+\\-\\.\\!<>&"',
    );
  });

  it('slack wraps values with * or _ in backticks, except URLs', () => {
    expect(render('{{k}}', 'slack')).toBe('`a *bold* and _it_`');
    expect(render('{{x}}', 'slack', { x: 'a_`b`' })).toBe("`a_'b'`");
    expect(render('{{link}}', 'slack')).toBe('https://example.com/a_b*c');
    expect(render('{{x}}', 'slack', { x: '<a> & `b`' })).toBe("&lt;a&gt; &amp; 'b'");
  });

  it('json escapes as inside a JSON string, without quotes', () => {
    expect(render('{{quote}}', 'json')).toBe('say \\"hi\\"\\n\\\\end');
    expect(JSON.parse(`{"v":"${render('{{quote}}', 'json')}"}`)).toEqual({ v: vars.quote });
    expect(render('{{f}}', 'json')).toBe('{\\"g\\":3,\\"h\\":null}');
  });

  it('html uses Mustache’s entity table', () => {
    expect(render('{{x}}', 'html', { x: `&<>"'/\`=` })).toBe('&amp;&lt;&gt;&quot;&#39;&#x2F;&#x60;&#x3D;');
  });

  it('triple braces bypass every escape', () => {
    for (const mode of ['markdown', 'slack', 'json', 'html'] as const) {
      expect(render('{{{x}}}', mode, { x: '*"<' })).toBe('*"<');
    }
  });
});

describe('render errors never throw', () => {
  it('returns Kibana’s message for a template that does not parse', () => {
    expect(render('{{a}')).toBe('error rendering mustache template "{{a}": Unclosed tag at 4');
    expect(render('{{#a}}x')).toMatch(
      /^error rendering mustache template "\{\{#a\}\}x": Unclosed section "a"/,
    );
  });

  it('reports the error to onError', () => {
    const errors: string[] = [];
    renderString('{{a}', prepare({}), { onError: (message) => errors.push(message) });
    expect(errors).toHaveLength(1);
  });

  it('templateError explains what is wrong without rendering', () => {
    expect(templateError('{{a}}')).toBeUndefined();
    expect(templateError('{{a}')).toBe('Unclosed tag at 4');
  });
});

describe('renderObject', () => {
  it('renders every string at any depth and passes other values through', () => {
    const params = { s: '{{a}}', n: 5, b: false, z: null, list: ['{{b}}', 7, { deep: '{{f.g}}' }] };
    expect(renderObject(params, prepare(vars))).toEqual({
      s: '1',
      n: 5,
      b: false,
      z: null,
      list: ['2', 7, { deep: '3' }],
    });
    expect(params.s).toBe('{{a}}');
  });

  it('picks an escape per path', () => {
    const rendered = renderObject({ body: '{"q":"{{quote}}"}', title: '{{quote}}' }, prepare(vars), {
      escapeFor: (path) => (path[0] === 'body' ? 'json' : undefined),
    });
    expect(JSON.parse(rendered.body)).toEqual({ q: vars.quote });
    expect(rendered.title).toBe(vars.quote);
  });
});
