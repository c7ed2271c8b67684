import Mustache from 'mustache';
import { escapeFunctions, type EscapeMode } from './escape.js';
import { mustacheLambdas } from './lambdas.js';
import { prepareVariables, type Variables } from './variables.js';

/** Variables after `prepareVariables`; prepare once, render many strings with them. */
export interface PreparedVariables {
  readonly prepared: Variables;
}

export interface RenderOptions {
  escape?: EscapeMode;
  /** Called with each lambda error or render failure (Kibana logs `mustache render error: …`). */
  onError?: (message: string) => void;
}

const ignore = () => {};

export function prepare(variables: Variables): PreparedVariables {
  return { prepared: prepareVariables(variables) };
}

/**
 * Renders one template. Never throws: a template Mustache cannot parse renders as
 * `error rendering mustache template "<template>": <reason>`, as in Kibana.
 *
 * @example renderString('{{a}}!', prepare({ a: 1 })) // '1!'
 */
export function renderString(
  template: string,
  variables: PreparedVariables,
  options: RenderOptions = {},
): string {
  const onError = options.onError ?? ignore;
  // User variables win over lambdas of the same name (Kibana's order).
  const view = { ...mustacheLambdas(onError), ...variables.prepared };
  try {
    return Mustache.render(`${template}`, view, {}, { escape: escapeFunctions[options.escape ?? 'none'] });
  } catch (error) {
    const message = `error rendering mustache template "${template}": ${(error as Error).message}`;
    onError(message);
    return message;
  }
}

/**
 * Renders every string inside `value` (any depth, arrays included) and returns a copy; numbers,
 * booleans and null pass through unchanged. `escapeFor` picks an escape per path (`['body']`),
 * which is how a webhook body gets `json` while other params get `none`.
 */
export function renderObject<T>(
  value: T,
  variables: PreparedVariables,
  options: RenderOptions & { escapeFor?: (path: readonly string[]) => EscapeMode | undefined } = {},
): T {
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') {
      return renderString(node, variables, {
        ...options,
        escape: options.escapeFor?.(path) ?? options.escape ?? 'none',
      });
    }
    if (Array.isArray(node)) return node.map((element, index) => walk(element, [...path, String(index)]));
    if (node !== null && typeof node === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(node)) copy[key] = walk(inner, [...path, key]);
      return copy;
    }
    return node;
  };
  return walk(value, []) as T;
}

/** Parses a template without rendering; returns the reason it cannot be parsed, or undefined. */
export function templateError(template: string): string | undefined {
  try {
    Mustache.parse(template);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Every string in `value` with the path to it, for checking a params template at route creation. */
export function templateStrings(value: unknown, path: string[] = []): { path: string[]; template: string }[] {
  if (typeof value === 'string') return [{ path, template: value }];
  if (Array.isArray(value))
    return value.flatMap((element, index) => templateStrings(element, [...path, String(index)]));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) => templateStrings(inner, [...path, key]));
  return [];
}
