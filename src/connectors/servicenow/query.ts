/**
 * Encoded queries (`sysparm_query`). `^` separates terms and `^OR`/`^NQ` start alternatives, so a
 * value such as `x^ORactive=true` would widen a lookup to every active record. ServiceNow reads
 * `^^` as a literal caret inside a value; newlines end a query on some releases, so they are
 * dropped. `=` needs no escape after the operator (the first operator ends the field name), and the
 * whole query is URL-encoded by the client, so `&` and `#` cannot start another parameter.
 */
export function escapeQueryValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replaceAll('^', '^^');
}

/** `field=value` with the value escaped. Field names come from our code, never from input. */
export function equals(field: string, value: string): string {
  return `${field}=${escapeQueryValue(value)}`;
}

/** `name=task^ORname=<table>`: task columns are inherited, so both tables are asked. */
export function taskOr(table: string): string {
  return `name=task^ORname=${table}`;
}

/** `element=a^ORelement=b…` for the choice lists of several fields. */
export function elementsOr(fields: string[]): string {
  return fields.map((field, index) => `${index === 0 ? '' : 'OR'}${equals('element', field)}`).join('^');
}

/**
 * ServiceNow stores at most 100 characters of `correlation_id` (it cuts longer values), so a
 * lookup must ask for what was stored, not for what was sent.
 */
export const CORRELATION_ID_MAX = 100;
export function storedCorrelationId(value: string): string {
  return value.length > CORRELATION_ID_MAX ? value.slice(0, CORRELATION_ID_MAX) : value;
}
