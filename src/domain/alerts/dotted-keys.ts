/**
 * Expands dotted keys (`"kibana.alert.rule.name": "x"` → `{kibana: {alert: {rule: {name: "x"}}}}`)
 * before validation, so a Kibana webhook action can post ECS fields flat, as Kibana's own
 * variable preparation accepts them. Prototype-reaching segments are dropped.
 */
const unsafe = new Set(['__proto__', 'constructor', 'prototype']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

export function expandDottedKeys(input: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const segments = key.split('.');
    if (segments.some((segment) => unsafe.has(segment) || segment === '')) continue;
    let target = result;
    for (const segment of segments.slice(0, -1)) {
      const existing = Object.prototype.hasOwnProperty.call(target, segment) ? target[segment] : undefined;
      if (!isObject(existing)) define(target, segment, {});
      target = target[segment] as Record<string, unknown>;
    }
    const last = segments[segments.length - 1] as string;
    const expanded = isObject(value) ? expandDottedKeys(value) : value;
    const existing = Object.prototype.hasOwnProperty.call(target, last) ? target[last] : undefined;
    define(target, last, isObject(existing) && isObject(expanded) ? { ...existing, ...expanded } : expanded);
  }
  return result;
}
