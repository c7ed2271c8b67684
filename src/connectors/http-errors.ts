import { RefusedAddressError } from './http-addresses.js';
import { scrubMessage } from './http-messages.js';
import { HttpError, type HttpErrorKind } from './http-types.js';

/**
 * Turns what undici or Node threw into an `HttpError` the retry logic can act on: network
 * trouble and timeouts are worth retrying, certificate and configuration problems are not.
 */
export interface TransportContext {
  endpoint: string;
  timedOut: boolean;
  timeoutMs: number;
  viaProxy: boolean;
  /** The caller's own signal fired (shutdown, cancelled run). */
  aborted: boolean;
}

const timeoutCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
// Errors that can only come from reaching the first hop, which is the proxy when there is one.
const connectCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'UND_ERR_PRX_TLS',
]);

// Problems with the request itself: sending it again cannot help.
const invalidRequestCodes = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_NOT_SUPPORTED',
]);

interface Found {
  codes: string[];
  refused?: RefusedAddressError;
  messages: string[];
}

/** Walks `cause` chains and AggregateErrors (Happy Eyeballs tries several addresses). */
function inspect(error: unknown, found: Found = { codes: [], messages: [] }, depth = 0): Found {
  if (depth > 5 || typeof error !== 'object' || error === null) return found;
  if (error instanceof RefusedAddressError) found.refused ??= error;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') found.codes.push(code);
  if (typeof message === 'string' && message !== '') found.messages.push(message);
  if (cause !== undefined) inspect(cause, found, depth + 1);
  if (Array.isArray(errors)) for (const inner of errors.slice(0, 4)) inspect(inner, found, depth + 1);
  return found;
}

function make(
  kind: HttpErrorKind,
  ctx: TransportContext,
  detail: string,
  retryable: boolean,
  cause: unknown,
): HttpError {
  return new HttpError({
    kind,
    message: `${ctx.endpoint}: ${scrubMessage(detail)}`,
    endpoint: ctx.endpoint,
    retryable,
    cause,
  });
}

export function classifyTransportError(error: unknown, ctx: TransportContext): HttpError {
  const found = inspect(error);
  const detail =
    found.messages.find((m) => m !== 'fetch failed' && m !== 'Request aborted') ??
    found.messages[0] ??
    'request failed';
  if (found.refused) {
    return new HttpError({
      kind: 'host_not_allowed',
      message: found.refused.message,
      endpoint: ctx.endpoint,
      retryable: false,
      cause: error,
    });
  }
  if (ctx.timedOut || found.codes.some((code) => timeoutCodes.has(code))) {
    return make('timeout', ctx, `no complete response within ${ctx.timeoutMs} ms`, true, error);
  }
  if (ctx.aborted) return make('aborted', ctx, 'the request was cancelled', true, error);
  const proxyStatus = /Proxy response \((\d{3})\)/.exec(found.messages.join(' '))?.[1];
  if (proxyStatus !== undefined) {
    // 407/403 mean the proxy refuses us: retrying will not change that.
    const refusedByProxy = proxyStatus === '407' || proxyStatus === '403';
    return make(
      'proxy',
      ctx,
      `the proxy answered the tunnel request with status ${proxyStatus}`,
      !refusedByProxy,
      error,
    );
  }
  if (found.codes.includes('UND_ERR_PRX_TLS'))
    return make('proxy', ctx, `TLS connection to the proxy failed: ${detail}`, false, error);
  if (
    found.codes.some(
      (code) => tlsCodes.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'),
    )
  ) {
    return make('tls', ctx, `TLS error: ${detail}`, false, error);
  }
  if (found.codes.some((code) => invalidRequestCodes.has(code)))
    return make('network', ctx, `invalid request: ${detail}`, false, error);
  if (ctx.viaProxy && found.codes.some((code) => connectCodes.has(code))) {
    return make('proxy', ctx, `cannot reach the proxy: ${detail}`, true, error);
  }
  return make('network', ctx, detail, true, error);
}
