import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { CliError } from './errors.js';

export interface ApiOptions {
  url?: string;
  apiKey?: string;
  dataDir?: string;
}

/**
 * The CLI's way to a running server. The URL and key come from flags, then `CASEBRIDGE_URL` and
 * `CASEBRIDGE_API_KEY`, then the defaults of a local install (port 5620, `./data/initial-api-key`).
 */
export function resolveApi(options: ApiOptions): { url: string; apiKey: string } {
  const url = (options.url ?? process.env.CASEBRIDGE_URL ?? 'http://127.0.0.1:5620').replace(/\/+$/, '');
  let apiKey = options.apiKey ?? process.env.CASEBRIDGE_API_KEY;
  if (apiKey === undefined) {
    const file = join(options.dataDir ?? process.env.CASEBRIDGE_DATA_DIR ?? './data', 'initial-api-key');
    if (existsSync(file)) apiKey = readFileSync(file, 'utf8').trim();
  }
  if (!apiKey)
    throw new CliError(
      'no API key: pass --api-key, set CASEBRIDGE_API_KEY, or run where ./data/initial-api-key exists',
      2,
    );
  return { url, apiKey };
}

export async function callApi(
  api: { url: string; apiKey: string },
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<unknown> {
  let response;
  try {
    response = await request(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `ApiKey ${api.apiKey}`,
        'kbn-xsrf': 'casebridge-cli',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new CliError(`cannot reach casebridge at ${api.url}: ${(error as Error).message}`);
  }
  const text = await response.body.text();
  const parsed: unknown = text === '' ? undefined : safeJson(text);
  if (response.statusCode >= 400) {
    const message = (parsed as { message?: string } | undefined)?.message ?? text.slice(0, 200);
    const code = (parsed as { code?: string } | undefined)?.code;
    throw new CliError(
      `${method} ${path} failed: ${response.statusCode}${code ? ` ${code}` : ''}: ${message}`,
    );
  }
  return parsed;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
