/**
 * Versions are opaque to clients; Kibana's look like base64 of `[seqNo,primaryTerm]`, so ours
 * do too (`WzEsMV0=` is version 1). Stored as an integer that every write increments.
 */
export function encodeVersion(n: number): string {
  return Buffer.from(JSON.stringify([n, 1])).toString('base64');
}

/** The stored integer of a version token, or undefined for anything we did not issue. */
export function decodeVersion(token: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (Array.isArray(parsed) && Number.isSafeInteger(parsed[0])) return parsed[0] as number;
  } catch {
    // Not ours: treated as stale by the caller.
  }
  return undefined;
}
