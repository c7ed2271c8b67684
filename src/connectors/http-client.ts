import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { request as undiciRequest, type Dispatcher } from 'undici';
import type { ActionsConfig } from '../config/schema.js';
import { parseByteSize, parseDuration } from '../config/units.js';
import {
  AgentPool,
  canonicalOrigin,
  loadCustomHostSettings,
  mergeTls,
  ProxyRules,
  validProxyUrl,
  type Warn,
} from './http-agents.js';
import {
  guardedLookup,
  literalAddress,
  refusalFor,
  RefusedAddressError,
  type Resolver,
} from './http-addresses.js';
import { classifyTransportError } from './http-errors.js';
import { describeEndpoint, withoutUserinfo } from './http-messages.js';
import {
  HttpError,
  type HttpClient,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
} from './http-types.js';
import { buildResponse, statusError } from './http-response.js';

export interface RequestCompleteInfo {
  method: string;
  host: string;
  status: number | 'error';
  durationMs: number;
}

export interface HttpClientOptions {
  /** Called once per request sent (every redirect hop counts), for metrics. */
  onRequestComplete?(info: RequestCompleteInfo): void;
  /** Where configuration warnings go (ignored proxy, unreadable CA file, ...). */
  warn?: Warn;
  /** DNS resolver; a seam for tests that need a name to resolve to a given address. */
  lookup?: Resolver;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const defaultMaxRedirects = 3;
// Headers that must not follow a redirect to another origin (fetch spec, follow-redirects).
const credentialHeaders = ['authorization', 'cookie', 'proxy-authorization'];
// Connection-level headers are undici's business (it refuses them); a webhook config carrying one
// (`Connection: keep-alive` copied from curl) should not make every call fail.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
]);

function notAllowedUrl(url: string, endpoint: string): HttpError {
  return new HttpError({
    kind: 'host_not_allowed',
    message: `target url "${url}" is not added to the Kibana config xpack.actions.allowedHosts`,
    endpoint,
    retryable: false,
  });
}

function refused(error: RefusedAddressError, endpoint: string): HttpError {
  return new HttpError({
    kind: 'host_not_allowed',
    message: error.message,
    endpoint,
    retryable: false,
    cause: error,
  });
}

function urlHostAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? undefined : bare;
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Builds the one outbound client every connector uses, from the `actions` settings. */
export function createHttpClient(settings: ActionsConfig, options: HttpClientOptions = {}): HttpClient {
  const warn: Warn = options.warn ?? (() => undefined);
  const allowAll = settings.allowedHosts.includes('*');
  const allowed = new Set(settings.allowedHosts.map((host) => host.toLowerCase()));
  const maxBytes = parseByteSize(settings.maxResponseContentLength);
  const responseTimeout = parseDuration(settings.responseTimeout);
  const customHosts = loadCustomHostSettings(settings.customHostSettings, warn);
  const proxyRules = new ProxyRules(settings, warn);
  const pool = new AgentPool(guardedLookup(settings.denyPrivateNetworks, options.lookup));

  function hostnameAllowed(hostname: string): boolean {
    if (allowAll) return true;
    const host = hostname.toLowerCase();
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    return allowed.has(host) || allowed.has(bare) || allowed.has(`[${bare}]`);
  }

  // Literal addresses already found callable. Checking one builds BlockList SocketAddresses
  // (~1.5 % of an `_execute` profile); the answer depends only on the address and the settings.
  const callableLiterals = new Set<string>();

  /** The metadata address (and private ones when configured) refused even as a literal. */
  function literalRefusal(hostname: string, fromUrl = false): RefusedAddressError | undefined {
    // A WHATWG-parsed hostname already has numeric IPv4 spellings normalised: only unbracket it.
    const address = fromUrl ? urlHostAddress(hostname) : literalAddress(hostname);
    if (address === undefined || callableLiterals.has(address)) return undefined;
    const reason = refusalFor(address, settings.denyPrivateNetworks);
    if (reason === undefined) {
      if (callableLiterals.size >= 1_000) callableLiterals.clear();
      callableLiterals.add(address);
      return undefined;
    }
    return new RefusedAddressError(hostname, address, reason);
  }

  function ensureUriAllowed(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw notAllowedUrl(withoutUserinfo(url), withoutUserinfo(url));
    }
    const endpoint = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
    if (!hostnameAllowed(parsed.hostname)) throw notAllowedUrl(withoutUserinfo(url), endpoint);
    const refusal = literalRefusal(parsed.hostname);
    if (refusal) throw refused(refusal, endpoint);
  }

  function ensureHostnameAllowed(hostname: string): void {
    if (!hostnameAllowed(hostname)) {
      throw new HttpError({
        kind: 'host_not_allowed',
        message: `target hostname "${hostname}" is not added to the Kibana config xpack.actions.allowedHosts`,
        endpoint: hostname,
        retryable: false,
      });
    }
    const refusal = literalRefusal(hostname);
    if (refusal) throw refused(refusal, hostname);
  }

  /** Checked before every hop; messages leave out the query string, which may carry tokens. */
  function assertTarget(url: URL, method: string): void {
    const endpoint = describeEndpoint(method, url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new HttpError({
        kind: 'network',
        message: `${endpoint}: unsupported protocol "${url.protocol}"`,
        endpoint,
        retryable: false,
      });
    }
    if (!hostnameAllowed(url.hostname))
      throw notAllowedUrl(`${url.protocol}//${url.host}${url.pathname}`, endpoint);
    const refusal = literalRefusal(url.hostname, true);
    if (refusal) throw refused(refusal, endpoint);
  }

  function report(method: string, url: URL, status: number | 'error', started: number): number {
    const durationMs = performance.now() - started;
    options.onRequestComplete?.({ method, host: url.host, status, durationMs });
    return durationMs;
  }

  async function readBody(response: Dispatcher.ResponseData, endpoint: string): Promise<Buffer> {
    const tooLarge = (): HttpError =>
      new HttpError({
        kind: 'response_too_large',
        message: `${endpoint}: response body is larger than maxResponseContentLength (${maxBytes} bytes)`,
        endpoint,
        status: response.statusCode,
        retryable: false,
      });
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        // Destroying the body closes the socket, so the rest is never read off the wire.
        response.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total);
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    let method: HttpMethod = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      const shown = withoutUserinfo(req.url);
      throw notAllowedUrl(shown, `${method} ${shown.split('?')[0] ?? ''}`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      if (!hopByHop.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    let body: string | Buffer | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    } else if (req.body instanceof URLSearchParams) {
      body = req.body.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else {
      body = req.body;
    }
    if (req.basicAuth) {
      const { username, password } = req.basicAuth;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    if (req.proxy && !validProxyUrl(req.proxy.url)) {
      const endpoint = describeEndpoint(method, url);
      throw new HttpError({
        kind: 'proxy',
        message: `${endpoint}: the connector's proxy url is not a valid http or https url`,
        endpoint,
        retryable: false,
      });
    }

    // Kibana takes the larger of the global timeout and the caller's; one deadline covers all hops.
    const timeoutMs = Math.max(responseTimeout, req.timeoutMs ?? 0);
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.abort();
    }, timeoutMs);
    // The caller's signal (a client that hung up) aborts the same controller. Not AbortSignal.any:
    // on Node 20 it costs ~0.2 ms of CPU per call (weak references and their finalisation),
    // which showed up as a fifth of an `_execute`.
    const callerSignal = req.signal;
    const abortFromCaller = () => deadline.abort();
    if (callerSignal?.aborted) deadline.abort();
    else callerSignal?.addEventListener('abort', abortFromCaller, { once: true });
    const signal = deadline.signal;
    const maxRedirects = req.maxRedirects ?? defaultMaxRedirects;

    try {
      for (let hop = 0; ; hop += 1) {
        assertTarget(url, method);
        const endpoint = describeEndpoint(method, url);
        const proxy = proxyRules.forTarget(url, req.proxy, settings.ssl.proxyVerificationMode);
        const tls = mergeTls(settings.ssl.verificationMode, customHosts.get(canonicalOrigin(url)), req.tls);
        const dispatcher = pool.get(url, tls, proxy);
        const started = performance.now();
        let response: Dispatcher.ResponseData;
        let payload: Buffer;
        try {
          response = await undiciRequest(url, {
            method,
            headers,
            body,
            dispatcher,
            signal,
            // Our deadline is the one that counts; undici's own timers only back it up.
            headersTimeout: timeoutMs + 1000,
            bodyTimeout: timeoutMs + 1000,
          });
          if (
            redirectStatuses.has(response.statusCode) &&
            response.headers.location !== undefined &&
            maxRedirects > 0
          ) {
            await response.body.dump();
            report(method, url, response.statusCode, started);
            if (hop >= maxRedirects) {
              throw new HttpError({
                kind: 'status',
                message: `${endpoint}: more than ${maxRedirects} redirects`,
                endpoint,
                status: response.statusCode,
                retryable: false,
              });
            }
            const next = new URL(String(response.headers.location), url);
            if (next.origin !== url.origin) for (const name of credentialHeaders) delete headers[name];
            // Browsers and axios turn a redirected POST into a GET without a body (RFC 9110 §15.4).
            if (
              response.statusCode === 303 ||
              ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
            ) {
              if (method !== 'HEAD') method = 'GET';
              body = undefined;
              delete headers['content-type'];
              delete headers['content-length'];
            }
            url = next;
            continue;
          }
          payload = method === 'HEAD' ? Buffer.alloc(0) : await readBody(response, endpoint);
        } catch (error) {
          if (!(error instanceof HttpError) || error.kind !== 'status') report(method, url, 'error', started);
          if (error instanceof HttpError) throw error;
          throw classifyTransportError(error, {
            endpoint,
            timedOut,
            timeoutMs,
            viaProxy: proxy !== undefined,
            aborted: req.signal?.aborted ?? false,
          });
        }
        const durationMs = report(method, url, response.statusCode, started);
        return buildResponse(
          response.statusCode,
          flattenHeaders(response.headers),
          url,
          payload,
          durationMs,
          endpoint,
        );
      }
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', abortFromCaller);
    }
  }

  async function requestOk(req: HttpRequest): Promise<HttpResponse> {
    const response = await request(req);
    if (response.status >= 200 && response.status < 300) return response;
    throw statusError(response, req.method ?? 'GET');
  }

  return {
    request,
    requestOk,
    ensureUriAllowed,
    ensureHostnameAllowed,
    close: () => pool.close(),
  };
}

export { statusError } from './http-response.js';
