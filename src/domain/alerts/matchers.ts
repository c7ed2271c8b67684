import { readPath } from './alert.js';

/**
 * Alertmanager-style matchers: `=` and `!=` compare text, `=~` and `!~` match a regular
 * expression anchored at both ends (Alertmanager's rule, so `crit` does not match `critical`).
 * A field that is absent reads as '' (Alertmanager's rule for missing labels).
 */
export const matchOperators = ['=', '!=', '=~', '!~'] as const;
export type MatchOperator = (typeof matchOperators)[number];

export interface Matcher {
  /** `source`, `labels.<name>`, or a dotted path into the alert (`severity`, `rule.name`, `context.host.name`). */
  field: string;
  op: MatchOperator;
  value: string;
}

export interface CompiledMatcher {
  test(view: Record<string, unknown>): boolean;
}

function fieldText(view: Record<string, unknown>, field: string): string {
  const value = readPath(view, field);
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Throws an Error naming the problem when the regular expression does not compile. */
export function compileMatcher(matcher: Matcher): CompiledMatcher {
  if (matcher.op === '=' || matcher.op === '!=') {
    const equal = matcher.op === '=';
    return { test: (view) => (fieldText(view, matcher.field) === matcher.value) === equal };
  }
  const pattern = new RegExp(`^(?:${matcher.value})$`, 'u');
  const wanted = matcher.op === '=~';
  return { test: (view) => pattern.test(fieldText(view, matcher.field)) === wanted };
}

/** The reason a matcher is unusable, or undefined when it compiles. */
export function matcherError(matcher: Matcher): string | undefined {
  if (!/^[A-Za-z_][\w-]*(\.[\w@/-]+)*$/.test(matcher.field))
    return `field "${matcher.field}" is not a dotted path such as labels.severity`;
  try {
    compileMatcher(matcher);
    return undefined;
  } catch (error) {
    return `value is not a valid regular expression: ${(error as Error).message}`;
  }
}

export function matchesAll(matchers: readonly CompiledMatcher[], view: Record<string, unknown>): boolean {
  return matchers.every((matcher) => matcher.test(view));
}
