import type { VerificationModeValue } from '../config/schema.js';

/**
 * The outbound HTTP client every connector uses (`ctx.http`). One implementation
 * (`http-client.ts`, over undici) applies allowedHosts on every hop, the metadata-address guard,
 * proxies, TLS modes, custom host settings, the response timeout and the response size cap, and
 * classifies failures for the retry logic. Connectors never import undici themselves.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface TlsOptions {
  /** PEM CA bundle to trust in addition to (or, with verification, instead of) the defaults. */
  ca?: string;
  /** Client certificate and key (PEM), or a PFX bundle, for mutual TLS. */
  cert?: string;
  key?: string;
  pfx?: Buffer;
  passphrase?: string;
  verificationMode?: VerificationModeValue;
}

/** A per-connector proxy that replaces the global one for that connector's requests. */
export interface ProxyOptions {
  url: string;
  headers?: Record<string, string>;
  verificationMode?: VerificationModeValue;
}

export interface HttpRequest {
  url: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  /** A JSON body (sets content-type) or raw text / form data. Give one of them. */
  json?: unknown;
  body?: string | Buffer | URLSearchParams;
  /** Basic credentials; turned into an Authorization header. */
  basicAuth?: { username: string; password: string };
  /** Overrides the global responseTimeout when larger (Kibana takes the max of the two). */
  timeoutMs?: number;
  tls?: TlsOptions;
  proxy?: ProxyOptions;
  /** Follow redirects (each hop re-checked against allowedHosts). Default 3 hops. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The final URL after redirects. */
  url: string;
  body: Buffer;
  text(): string;
  /** Parses the body as JSON; throws `HttpError` kind `invalid_json` when it is not. */
  json<T = unknown>(): T;
  durationMs: number;
}

export type HttpErrorKind =
  | 'host_not_allowed'
  | 'network'
  | 'timeout'
  | 'tls'
  | 'proxy'
  | 'response_too_large'
  | 'invalid_json'
  | 'status'
  | 'aborted';

/**
 * A failed outbound call. `message` is bounded and safe to show a user: it names the endpoint
 * (method and URL without query string or credentials), the status and a short excerpt of the
 * body; it never holds request headers or credentials.
 */
export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  readonly status?: number;
  readonly endpoint: string;
  readonly retryable: boolean;
  /** When the target said when to come back (Retry-After, rate-limit reset). */
  readonly retryAt?: Date;
  readonly bodyExcerpt?: string;

  constructor(init: {
    kind: HttpErrorKind;
    message: string;
    endpoint: string;
    retryable: boolean;
    status?: number;
    retryAt?: Date;
    bodyExcerpt?: string;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HttpError';
    this.kind = init.kind;
    this.endpoint = init.endpoint;
    this.retryable = init.retryable;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAt !== undefined) this.retryAt = init.retryAt;
    if (init.bodyExcerpt !== undefined) this.bodyExcerpt = init.bodyExcerpt;
  }
}

export interface HttpClient {
  /** Resolves for every HTTP status; rejects with `HttpError` for transport-level failures. */
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Like `request`, but a non-2xx status rejects with `HttpError` kind `status`. */
  requestOk(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Throws the Kibana-worded allow-list error if the URL's host may not be called; connector
   * `validate.config` steps use it so a bad URL is refused at create time, not at run time.
   */
  ensureUriAllowed(url: string): void;
  ensureHostnameAllowed(hostname: string): void;
  close(): Promise<void>;
}
