// The request log tests assert on. Secrets never enter it: Authorization keeps only its scheme,
// and passwords, client secrets, tokens and JWT assertions in bodies are replaced by "****".
import type { IncomingHttpHeaders } from 'node:http';
import type { LoggedRequest } from './types.js';

const MASK = '****';
const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'x-api-key', 'proxy-authorization']);
const SECRET_KEY = /password|secret|token|assertion|private_?key/i;

/**
 * What the server hands over per request: raw pieces only. Masking, parsing and formatting happen
 * when an entry is read, which keeps them off the hot path (reads are rare, requests are not).
 */
export interface RawEntry {
  timeMs: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body as parsed by a handler, when one parsed it. */
  parsed: unknown;
  body: Buffer;
  status: number;
  durationMs: number;
  user: string | undefined;
  note: string | undefined;
}

export class RequestLog {
  private entries: (RawEntry & { seq: number })[] = [];
  private seq = 0;

  constructor(private readonly limit: number) {}

  record(entry: RawEntry): void {
    (entry as RawEntry & { seq: number }).seq = ++this.seq;
    this.entries.push(entry as RawEntry & { seq: number });
    // Trim in batches so a busy benchmark does not shift the array on every request.
    if (this.entries.length > this.limit * 2) this.entries = this.entries.slice(-this.limit);
  }

  /** Oldest first, at most `limit` entries. */
  all(): LoggedRequest[] {
    return this.entries.slice(-this.limit).map(materialise);
  }

  last(): LoggedRequest | undefined {
    const raw = this.entries[this.entries.length - 1];
    return raw ? materialise(raw) : undefined;
  }

  filter(predicate: (entry: LoggedRequest) => boolean): LoggedRequest[] {
    return this.all().filter(predicate);
  }

  /** Requests whose path contains the text, optionally with one method. */
  find(pathPart: string, method?: string): LoggedRequest[] {
    return this.filter((e) => e.path.includes(pathPart) && (method === undefined || e.method === method));
  }

  clear(): void {
    this.entries = [];
  }
}

function materialise(raw: RawEntry & { seq: number }): LoggedRequest {
  return {
    seq: raw.seq,
    time: new Date(raw.timeMs).toISOString(),
    method: raw.method,
    path: raw.path,
    query: Object.fromEntries(raw.query),
    headers: maskHeaders(raw.headers),
    body: loggedBody(raw),
    status: raw.status,
    durationMs: Math.round(raw.durationMs * 100) / 100,
    ...(raw.user === undefined ? {} : { user: raw.user }),
    ...(raw.note === undefined ? {} : { note: raw.note }),
  };
}

function loggedBody(raw: RawEntry): unknown {
  if (raw.body.length === 0) return undefined;
  if (raw.parsed !== undefined) return maskBody(raw.parsed);
  const text = raw.body.toString('utf8');
  const type = String(raw.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded')) return maskBody(formToObject(text));
  if (type.includes('json')) {
    try {
      return maskBody(JSON.parse(text));
    } catch {
      // Malformed JSON is logged as the text it was.
    }
  }
  return text.length > 65_536 ? `${text.slice(0, 65_536)}…` : text;
}

export function maskHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw.join(', ') : (raw ?? '');
    if (name === 'authorization') {
      const space = value.indexOf(' ');
      out[name] = space > 0 ? `${value.slice(0, space)} ${MASK}` : MASK;
    } else {
      out[name] = SECRET_HEADERS.has(name) ? MASK : value;
    }
  }
  return out;
}

/** A copy of a JSON or form body with secret-looking keys masked (JSON objects walked two levels). */
export function maskBody(body: unknown, depth = 0): unknown {
  if (body === null || typeof body !== 'object' || depth > 2) return body;
  if (Array.isArray(body)) return body.map((b) => maskBody(b, depth + 1));
  let copy: Record<string, unknown> | undefined;
  for (const key in body as Record<string, unknown>) {
    const value = (body as Record<string, unknown>)[key];
    const masked = SECRET_KEY.test(key)
      ? MASK
      : typeof value === 'object'
        ? maskBody(value, depth + 1)
        : value;
    if (masked !== value) copy ??= { ...(body as Record<string, unknown>) };
    if (copy) copy[key] = masked;
  }
  return copy ?? body;
}

export function formToObject(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}
