import { createHash } from 'node:crypto';

export const DEFAULT_CORRELATION_KEY = '{{rule.id}}:{{alert.id}}';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Fits a key to the target's limit (ServiceNow `correlation_id` holds 100 characters). A key that
 * fits is sent as it is. A longer one keeps a readable prefix and ends with `#` and the SHA-256
 * of the whole key (64 hex digits), so two long keys sharing a prefix stay distinct; when the
 * limit leaves no room for a prefix, the hash alone is sent, cut to the limit.
 *
 * @example fitKey('r1:a1', 100) // 'r1:a1'
 */
export function fitKey(key: string, maxLength: number): string {
  if (key.length <= maxLength) return key;
  const hash = sha256(key);
  const room = maxLength - hash.length - 1;
  return room >= 16 ? `${key.slice(0, room)}#${hash}` : hash.slice(0, maxLength);
}

/**
 * The key a ticket carries on the target: the correlation key for the first ticket, and the key
 * plus `#<n>` for the n-th ticket opened after earlier ones were closed (policy `new`), so a
 * correlation lookup on the target never finds the closed one.
 */
export function ticketKey(key: string, generation: number, maxLength: number): string {
  return fitKey(generation <= 1 ? key : `${key}#${generation}`, maxLength);
}

/** Unique id of one (route, correlation key) state row, and the delivery ordering key. */
export function stateHash(routeId: string, key: string): string {
  return sha256(`${routeId}\n${key}`).slice(0, 40);
}
