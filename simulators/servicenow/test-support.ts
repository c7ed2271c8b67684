// Small helpers the simulator's tests share: real HTTP calls over 127.0.0.1 with fetch, nothing
// mocked. Kept out of *.test.ts so each suite stays about behaviour.
import { demoSeed } from './demo-seed.js';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body; undefined when the body is empty or not JSON. */
  json: unknown;
}

export interface CallOptions {
  auth?: string | null;
  body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body). */
  raw?: string;
  headers?: Record<string, string>;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

const byName = new Map(demoSeed.users.map((u) => [u.user_name, u.password]));

/** Basic auth header for one of the demo logins. */
export function as(user: string): string {
  return basic(user, byName.get(user) ?? '');
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const auth = options.auth === undefined ? as('admin') : options.auth;
  if (auth !== null) headers.Authorization = auth;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && headers['Content-Type'] === undefined)
    headers['Content-Type'] = 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** `result` of a Table API answer as a record (or throws, so a wrong shape fails the test). */
export function resultOf(reply: Reply): Record<string, unknown> {
  const result = (reply.json as { result?: unknown } | undefined)?.result;
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new Error(`expected an object result, got ${reply.status} ${reply.text.slice(0, 300)}`);
  }
  return result as Record<string, unknown>;
}

export function rowsOf(reply: Reply): Record<string, unknown>[] {
  const result = (reply.json as { result?: unknown } | undefined)?.result;
  if (!Array.isArray(result))
    throw new Error(`expected an array result, got ${reply.status} ${reply.text.slice(0, 300)}`);
  return result as Record<string, unknown>[];
}

export function errorOf(reply: Reply): { message: string; detail: string | null } {
  const body = reply.json as
    { error?: { message: string; detail: string | null }; status?: string } | undefined;
  if (!body?.error || body.status !== 'failure')
    throw new Error(`expected an error envelope, got ${reply.text}`);
  return body.error;
}

export function form(values: Record<string, string>): CallOptions {
  return {
    auth: null,
    raw: new URLSearchParams(values).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
  };
}
