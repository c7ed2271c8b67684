// Identifiers and timestamps in ServiceNow's formats: 32-hex sys_ids, "INC0010001" numbers and
// "YYYY-MM-DD HH:MM:SS" UTC date-times.
import { createHash, randomUUID } from 'node:crypto';

/** A random sys_id. randomUUID draws from a cached entropy pool, which keeps the insert path cheap. */
export function newSysId(): string {
  return randomUUID().replaceAll('-', '');
}

/** A stable sys_id for seeded rows, so tests and demo configs can refer to them across restarts. */
export function seedSysId(...parts: string[]): string {
  return createHash('sha1').update(parts.join('|')).digest('hex').slice(0, 32);
}

export function isSysId(value: string): boolean {
  return value.length === 32 && /^[0-9a-f]{32}$/.test(value);
}

let cachedSecond = -1;
let cachedText = '';

/** Current UTC time as ServiceNow writes it; cached per second because every write stamps two fields. */
export function glideNow(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedText = formatGlide(new Date(second * 1000));
  }
  return cachedText;
}

export function formatGlide(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Record numbers: a prefix and seven digits starting at 0010001, as a fresh instance numbers them. */
export class NumberSequence {
  private next = new Map<string, number>();

  take(prefix: string): string {
    const n = this.next.get(prefix) ?? 10001;
    this.next.set(prefix, n + 1);
    return prefix + String(n).padStart(7, '0');
  }

  reset(): void {
    this.next.clear();
  }
}
