/**
 * Variable preparation as Kibana does it before every render (actions-framework.md §6.2): a JSON
 * deep copy, dotted keys expanded into nested objects, `toString` on plain objects returning
 * their JSON and `asJSON` on arrays.
 */
export type Variables = Record<string, unknown>;

/** Path segments that would reach a prototype; a dotted key containing one is skipped whole. */
const unsafeSegments = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Lodash-`merge` semantics for what a dotted key adds: objects merge, anything else replaces. */
function mergeInto(target: Record<string, unknown>, key: string, value: unknown): void {
  const current = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
  if (isPlainObject(current) && isPlainObject(value)) {
    for (const [innerKey, innerValue] of Object.entries(value)) mergeInto(current, innerKey, innerValue);
    return;
  }
  // defineProperty, not assignment: a key named like a setter must stay plain data.
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function buildNested(segments: string[], value: unknown): unknown {
  let built: unknown = value;
  for (let index = segments.length - 1; index >= 0; index -= 1) {
    const wrapper: Record<string, unknown> = {};
    Object.defineProperty(wrapper, segments[index] as string, {
      value: built,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    built = wrapper;
  }
  return built;
}

function expandDottedKeys(node: unknown): void {
  if (Array.isArray(node)) {
    for (const element of node) expandDottedKeys(element);
    return;
  }
  if (!isPlainObject(node)) return;
  for (const key of Object.keys(node)) {
    if (key.includes('.')) {
      const segments = key.split('.');
      if (segments.some((segment) => segment === '' || unsafeSegments.has(segment))) continue;
      const [head, ...rest] = segments as [string, ...string[]];
      mergeInto(node, head, buildNested(rest, node[key]));
    }
  }
  for (const value of Object.values(node)) expandDottedKeys(value);
}

function addToStringDeep(node: unknown): void {
  if (Array.isArray(node)) {
    // Mustache already renders arrays comma-joined; `asJSON` is the way to get JSON.
    Object.defineProperty(node, 'asJSON', { value: () => JSON.stringify(node), enumerable: false });
    for (const element of node) addToStringDeep(element);
    return;
  }
  if (!isPlainObject(node)) return;
  if (!Object.prototype.hasOwnProperty.call(node, 'toString')) {
    Object.defineProperty(node, 'toString', { value: () => JSON.stringify(node), enumerable: false });
  }
  for (const value of Object.values(node)) addToStringDeep(value);
}

/**
 * Returns a prepared copy of `variables`; the input is not changed. Functions and `undefined`
 * disappear and Dates become ISO strings, as in a JSON round trip.
 *
 * @example prepareVariables({ 'kibana.alert.rule.name': 'cpu' }).kibana // { alert: { rule: { name: 'cpu' } } }
 */
export function prepareVariables(variables: Variables): Variables {
  const copy = JSON.parse(JSON.stringify(variables ?? {})) as Variables;
  expandDottedKeys(copy);
  addToStringDeep(copy);
  return copy;
}
