/** Parses Kibana-style sizes (`1mb`, `512kb`, `1000`) into bytes. Decimal units, as Kibana uses. */
export function parseByteSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)(b|kb|mb|gb)?$/.exec(value);
  if (!match) throw new Error(`invalid byte size "${value}"`);
  const units: Record<string, number> = { b: 1, kb: 1_000, mb: 1_000_000, gb: 1_000_000_000 };
  return Number(match[1]) * (units[match[2] ?? 'b'] ?? 1);
}

/** Parses durations (`60s`, `500ms`, `5m`, `1h`, or a number of milliseconds) into milliseconds. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value);
  if (!match) throw new Error(`invalid duration "${value}"`);
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  return Number(match[1]) * (units[match[2] ?? 'ms'] ?? 1);
}
