import type { ExecutionContext } from '../contract.js';
import { HttpError, type HttpResponse } from '../http-types.js';
import { retryAtFromResponse } from '../retry-after.js';
import { createAuth, type AuthProvider } from './auth.js';
import { ServiceNowError, type AuthMode, type CallContext } from './errors.js';
import type { ServiceNowConfigType, ServiceNowSecretsType } from './schema.js';
import { normaliseApiUrl } from './validation.js';

export interface SnCall extends CallContext {
  path: string;
  /** Query parameters; values are URL-encoded (see query.ts for what goes inside sysparm_query). */
  query?: Record<string, string>;
  json?: unknown;
}

interface SnErrorBody {
  error?: { message?: unknown; detail?: unknown } | null;
  result?: unknown;
}

/**
 * Every ServiceNow call of a run goes through here: the auth header, one refresh-and-retry on a
 * 401 for OAuth, Kibana's instance check (a 2xx without `result` means the instance is not
 * answering as an API, typically a hibernating developer instance serving an HTML page), and the
 * translation of failures into ServiceNowErrors with a retry decision.
 */
export class ServiceNowClient {
  readonly base: string;
  readonly auth: AuthProvider;
  readonly host: string;

  constructor(private readonly ctx: ExecutionContext<ServiceNowConfigType, ServiceNowSecretsType>) {
    this.base = normaliseApiUrl(ctx.config.apiUrl);
    this.host = safeHost(this.base);
    this.auth = createAuth(ctx, this.base);
  }

  get authMode(): AuthMode {
    return this.auth.mode;
  }

  get logger() {
    return this.ctx.logger;
  }

  /** Sends one request and returns the parsed JSON body (with its `result`). */
  async call<T = unknown>(call: SnCall): Promise<T & { result: unknown }> {
    let response = await this.send(call);
    if (response.status === 401 && this.auth.renewable) {
      // The cached token was revoked or expired early: get a new one and try exactly once more.
      this.ctx.logger.debug({ path: call.path }, 'ServiceNow answered 401; renewing the OAuth token');
      await this.auth.invalidate();
      response = await this.send(call);
    }
    return this.read<T>(response);
  }

  private async send(call: SnCall): Promise<HttpResponse> {
    const search = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
    const headers = { Authorization: await this.auth.header(), Accept: 'application/json' };
    try {
      return await this.ctx.http.request({
        url: `${this.base}${call.path}${search}`,
        method: call.method.toUpperCase() as 'GET' | 'POST' | 'PATCH',
        headers,
        ...(call.json !== undefined && { json: call.json }),
        ...(this.ctx.signal && { signal: this.ctx.signal }),
      });
    } catch (error) {
      if (error instanceof HttpError) {
        throw new ServiceNowError(error.message, {
          status: error.status ?? 'none',
          retry: error.retryAt ?? error.retryable,
          userError: false,
        });
      }
      throw error;
    }
  }

  private read<T>(response: HttpResponse): T & { result: unknown } {
    const status = response.status;
    const html = looksLikeHtml(response);
    let body: (SnErrorBody & T) | undefined;
    if (!html) {
      try {
        body = response.json<SnErrorBody & T>();
      } catch {
        body = undefined;
      }
    }
    if (status >= 400) {
      const retry = status === 429 ? (retryAtFromResponse(status, response.headers) ?? true) : status >= 500;
      throw new ServiceNowError(`Request failed with status code ${status}`, {
        status,
        retry,
        userError: status < 500,
        reason: html ? 'unknown: the instance answered with an HTML page' : describeErrorBody(body),
      });
    }
    if (html || body === undefined || body === null || typeof body !== 'object' || body.result == null) {
      const why = html
        ? ' It answered with an HTML page instead of JSON: a developer instance may be hibernating (wake it at developer.servicenow.com).'
        : '';
      // Worth another attempt later: a sleeping instance wakes, a maintenance page goes away.
      throw new ServiceNowError(
        `There is an issue with your Service Now Instance. Please check ${this.host}.${why}`,
        { status, retry: true, userError: true },
      );
    }
    return body as T & { result: unknown };
  }
}

function describeErrorBody(body: SnErrorBody | undefined): string {
  const error = body?.error;
  if (!error || typeof error !== 'object' || typeof error.message !== 'string')
    return 'unknown: no error in error response';
  return typeof error.detail === 'string' && error.detail !== ''
    ? `${error.message}: ${error.detail}`
    : error.message;
}

function looksLikeHtml(response: HttpResponse): boolean {
  const type = response.headers['content-type'] ?? '';
  if (type.includes('text/html')) return true;
  const head = response.body.subarray(0, 64).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

function safeHost(base: string): string {
  try {
    return new URL(base).host;
  } catch {
    return '';
  }
}
