/**
 * When a target says when to come back. `Retry-After` is either delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3); `X-RateLimit-Reset` is not standardised: GitHub, Twitter and most APIs send
 * epoch seconds, a few send seconds-until-reset and some epoch milliseconds, so the magnitude
 * decides. A time in the past means "now".
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return new Date(now + Number(text) * 1000);
  // HTTP dates always name a weekday and the GMT zone; a bare number or other text is not one.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return new Date(Math.max(at, now));
}

const epochSecondsFloor = 1_000_000_000; // 2001-09-09: anything smaller is a delay, not a time
const epochMillisFloor = 1_000_000_000_000;

export function parseRateLimitReset(value: string | undefined, now: number = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  if (n >= epochMillisFloor) return new Date(Math.max(n, now));
  if (n >= epochSecondsFloor) return new Date(Math.max(n * 1000, now));
  return new Date(now + n * 1000);
}

/** The retry time for a 429 or 503 response, from `Retry-After` first, then the rate-limit reset. */
export function retryAtFromResponse(
  status: number,
  headers: Record<string, string>,
  now: number = Date.now(),
): Date | undefined {
  if (status !== 429 && status !== 503) return undefined;
  return (
    parseRetryAfter(headers['retry-after'], now) ?? parseRateLimitReset(headers['x-ratelimit-reset'], now)
  );
}
