import { describe, expect, it } from 'vitest';
import { evaluateMath } from './eval-math.js';
import { formatDate } from './format-date.js';
import { prepare, renderString } from './render.js';

const render = (template: string, variables: Record<string, unknown> = {}) => {
  const errors: string[] = [];
  const text = renderString(template, prepare(variables), { onError: (message) => errors.push(message) });
  return { text, errors };
};

describe('EvalMath', () => {
  it('evaluates with variables from the current context', () => {
    expect(
      render('{{#context}}{{#EvalMath}} 1 + c.d {{/EvalMath}}{{/context}}', { context: { c: { d: 1 } } })
        .text,
    ).toBe('2');
    expect(render('{{#EvalMath}} {{context.a}} * 2 {{/EvalMath}}', { context: { a: 21 } }).text).toBe('42');
  });

  it('follows precedence, associativity and functions', () => {
    expect(evaluateMath('2 + 3 * 4', {})).toBe(14);
    expect(evaluateMath('(2 + 3) * 4', {})).toBe(20);
    expect(evaluateMath('2 ^ 3 ^ 2', {})).toBe(512);
    expect(evaluateMath('-2 ^ 2', {})).toBe(-4);
    expect(evaluateMath('10 % 4 - -1', {})).toBe(3);
    expect(evaluateMath('round(10 / 3, 2) + max(1, 5, 2) + sqrt(16)', {})).toBe(12.33);
    expect(evaluateMath('1.5e3 / .5', {})).toBe(3000);
    expect(evaluateMath('a-b', { a: 5, b: 2 })).toBe(3);
    expect(evaluateMath('"host.cpu pct" * 100', { 'host.cpu pct': '0.5' })).toBe(50);
  });

  it('returns Kibana’s error text for unknown variables and bad expressions', () => {
    const unknown = render('{{#EvalMath}} 1 + nope {{/EvalMath}}');
    expect(unknown.text).toBe('error evaluating tinymath expression "1 + nope": Unknown variable: nope');
    expect(unknown.errors).toEqual([unknown.text]);
    expect(render('{{#EvalMath}}1 +{{/EvalMath}}').text).toMatch(
      /^error evaluating tinymath expression "1 \+": /,
    );
    expect(render('{{#EvalMath}}evil(1){{/EvalMath}}').text).toMatch(/No such function: evil$/);
    expect(render('{{#EvalMath}}constructor{{/EvalMath}}').text).toMatch(/Unknown variable: constructor$/);
  });

  it('cannot reach JavaScript', () => {
    expect(() => evaluateMath('process.exit(1)', {})).toThrow(/No such function/);
    expect(() => evaluateMath('this', {})).toThrow(/Unknown variable/);
  });
});

describe('FormatDate', () => {
  it('uses UTC and YYYY-MM-DD hh:mma by default', () => {
    expect(render('{{#FormatDate}}{{d}}{{/FormatDate}}', { d: '2022-11-29T15:52:44Z' }).text).toBe(
      '2022-11-29 03:52pm',
    );
  });

  it('applies a time zone and a moment format', () => {
    expect(formatDate('2022-11-29T15:52:44Z; America/New_York; dddd MMMM Do YYYY, h:mm:ss A Z')).toEqual({
      ok: true,
      text: 'Tuesday November 29th 2022, 10:52:44 AM -05:00',
    });
    expect(formatDate('2022-07-01T00:00:00.123Z; Asia/Kolkata; YYYY-MM-DDTHH:mm:ss.SSSZZ [at] X')).toEqual({
      ok: true,
      text: '2022-07-01T05:30:00.123+0530 at 1656633600',
    });
    expect(formatDate('1669737164000; ; YY-M-D H:m:s')).toEqual({ ok: true, text: '22-11-29 15:52:44' });
  });

  it('returns Kibana’s error texts', () => {
    expect(render('{{#FormatDate}} {{/FormatDate}}').text).toBe('date is empty');
    expect(formatDate('yesterday')).toEqual({ ok: false, error: 'invalid date "yesterday"' });
    expect(formatDate('2022-11-29T15:52:44Z; Mars/Olympus')).toEqual({
      ok: false,
      error: 'unknown timeZone value "Mars/Olympus"',
    });
  });
});

describe('FormatNumber', () => {
  it('formats with locales and options', () => {
    expect(
      render('{{#FormatNumber}}{{n}}; en-US; style: currency, currency: EUR{{/FormatNumber}}', { n: 42 })
        .text,
    ).toBe('€42.00');
    expect(
      render('{{#FormatNumber}}1234567.891; de-DE; maximumFractionDigits: 1{{/FormatNumber}}').text,
    ).toBe('1.234.567,9');
    expect(render('{{#FormatNumber}}0.256;; style: percent, useGrouping: false{{/FormatNumber}}').text).toBe(
      '26%',
    );
  });

  it('returns Kibana’s error texts', () => {
    expect(render('{{#FormatNumber}}42{{/FormatNumber}}').text).toBe(
      "invalid format, missing semicolons: '42'",
    );
    expect(render('{{#FormatNumber}}x;;{{/FormatNumber}}').text).toBe("invalid number: 'x'");
    expect(render('{{#FormatNumber}}1;;style{{/FormatNumber}}').text).toBe(
      "invalid options: missing colon in option: 'style'",
    );
    expect(render('{{#FormatNumber}}1;;style: nope{{/FormatNumber}}').text).toMatch(
      /^error formatting number: /,
    );
  });
});

describe('EncodeURI and EncodeURIComponent', () => {
  it('encode the rendered text without trimming it', () => {
    expect(render('{{#EncodeURIComponent}} {{q}}{{/EncodeURIComponent}}', { q: 'a&b=c/d' }).text).toBe(
      '%20a%26b%3Dc%2Fd',
    );
    expect(render('{{#EncodeURI}}https://x.test/a b?q={{q}}{{/EncodeURI}}', { q: 'é' }).text).toBe(
      'https://x.test/a%20b?q=%C3%A9',
    );
  });
});

describe('ParseHjson', () => {
  it('is not provided and renders nothing', () => {
    expect(render('[{{#ParseHjson}}{a: 1}{{/ParseHjson}}]').text).toBe('[]');
  });
});
