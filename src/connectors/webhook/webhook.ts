import {
  defineConnectorType,
  type ExecutionContext,
  type ExecutorResult,
  type ValidationContext,
} from '../contract.js';
import { statusError } from '../http-response.js';
import {
  HttpError,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  type TlsOptions,
} from '../http-types.js';
import {
  WebhookConfig,
  WebhookParams,
  WebhookSecrets,
  webhookAuthTypes,
  webhookCertTypes,
  type WebhookConfigType,
  type WebhookSecretsType,
} from './schema.js';

/**
 * Kibana's `.webhook` connector: sends the (already rendered) body to a URL with the configured
 * headers and authentication, and answers with Kibana's executor results. See README.md for the
 * config, secrets and params, and the places where casebridge deliberately differs.
 */
type Ctx = ExecutionContext<WebhookConfigType, WebhookSecretsType>;

const prefix = 'error configuring webhook action';
const tokenType = 'access_token';
// A token this close to expiry is treated as expired, so it cannot lapse while a request is in flight.
const tokenExpirySkewMs = 30_000;
// Kibana marks these statuses as the user's fault (errorSource user): the config is wrong, not the target.
const userErrorStatuses = new Set([400, 404, 405, 406, 410, 411, 414, 428, 431]);

function checkUrl(url: string, ctx: ValidationContext): void {
  try {
    new URL(url);
  } catch {
    throw new Error(`${prefix}: unable to parse url: TypeError: Invalid URL: ${url}`);
  }
  try {
    ctx.ensureUriAllowed(url);
  } catch (error) {
    throw new Error(`${prefix}: ${(error as Error).message}`);
  }
}

function parseAdditionalFields(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    Object.keys(parsed).length === 0
  ) {
    throw new Error(`${prefix}: additionalFields must be a non-empty JSON object.`);
  }
  return parsed as Record<string, unknown>;
}

function validateConfig(config: WebhookConfigType, ctx: ValidationContext): void {
  checkUrl(config.url, ctx);
  if (config.authType && !config.hasAuth) {
    throw new Error(`${prefix}: authType must be null or undefined if hasAuth is false`);
  }
  if (
    config.ca !== undefined &&
    !Buffer.from(config.ca, 'base64').toString('utf8').includes('-----BEGIN CERTIFICATE-----')
  ) {
    // Kibana only finds this out on the first run; refusing it at create time is kinder.
    throw new Error(`${prefix}: ca must be a base64-encoded PEM certificate`);
  }
  parseAdditionalFields(config.additionalFields);
  if (config.authType !== webhookAuthTypes.oauth2ClientCredentials) return;
  const missing = [
    ...(config.accessTokenUrl ? [] : ['Access Token URL (accessTokenUrl)']),
    ...(config.clientId ? [] : ['Client ID (clientId)']),
  ];
  if (missing.length > 0) throw new Error(`${prefix}: missing ${missing.join(', ')} fields`);
  checkUrl(config.accessTokenUrl ?? '', ctx);
}

/** Kibana's rule: exactly one credential shape, or none at all. */
function validateSecrets(secrets: WebhookSecretsType): void {
  const { user, password, crt, key, pfx, clientSecret } = secrets;
  const none = !user && !password && !crt && !key && !pfx && !clientSecret;
  const basic = user && password && !crt && !key && !pfx && !clientSecret;
  const pem = crt && key && !user && !pfx && !clientSecret;
  const bundle = pfx && !crt && !key && !user && !clientSecret;
  const oauth = clientSecret && !crt && !key && !user && !pfx;
  if (none || basic || pem || bundle || oauth) return;
  throw new Error(
    'must specify one of the following schemas: user and password; crt and key (with optional password); pfx (with optional password); or OAuth2 client secret',
  );
}

/** An explicitly chosen authType needs its secrets (a legacy config without authType does not). */
function validatePair(config: WebhookConfigType, secrets: WebhookSecretsType): string | null {
  if (!config.hasAuth || !config.authType) return null;
  const needs = (what: string): string => `${prefix}: authType "${config.authType}" requires ${what}`;
  switch (config.authType) {
    case webhookAuthTypes.basic:
      return secrets.user && secrets.password ? null : needs('the user and password secrets');
    case webhookAuthTypes.ssl:
      if (config.certType === webhookCertTypes.pfx) return secrets.pfx ? null : needs('the pfx secret');
      if (config.certType === webhookCertTypes.crt)
        return secrets.crt && secrets.key ? null : needs('the crt and key secrets');
      return (secrets.crt && secrets.key) || secrets.pfx
        ? null
        : needs('the crt and key secrets, or the pfx secret');
    case webhookAuthTypes.oauth2ClientCredentials:
      return secrets.clientSecret ? null : needs('the clientSecret secret');
    default:
      return null;
  }
}

function fromBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

/** Headers, basic credentials and TLS options from config and secrets, as Kibana's buildConnectorAuth does. */
function buildRequest(
  config: WebhookConfigType,
  secrets: WebhookSecretsType,
  body: string | undefined,
): HttpRequest {
  const method = (config.method ?? 'post').toUpperCase() as HttpMethod;
  const headers: Record<string, string> = { ...(config.headers ?? {}) };
  const sendsBody = method !== 'GET' && method !== 'DELETE' && body !== undefined;
  // Rendered webhook bodies are JSON templates; Kibana's axios call ends up sending them as JSON too.
  if (sendsBody && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  const tls: TlsOptions = {
    ...(config.ca !== undefined && { ca: fromBase64(config.ca) }),
    ...(config.verificationMode !== undefined && { verificationMode: config.verificationMode }),
  };
  const request: HttpRequest = { url: config.url, method, headers, tls, ...(sendsBody && { body }) };
  const hasAuth = config.hasAuth ?? true;
  // Connectors saved before authType existed have hasAuth true and no authType: that meant basic.
  if (hasAuth && (config.authType === webhookAuthTypes.basic || !config.authType)) {
    if (typeof secrets.user === 'string' && typeof secrets.password === 'string') {
      request.basicAuth = { username: secrets.user, password: secrets.password };
    }
  } else if (hasAuth && config.authType === webhookAuthTypes.ssl) {
    const passphrase = typeof secrets.password === 'string' ? { passphrase: secrets.password } : {};
    if (typeof secrets.pfx === 'string')
      Object.assign(tls, { pfx: Buffer.from(secrets.pfx, 'base64'), ...passphrase });
    else if (typeof secrets.crt === 'string' && typeof secrets.key === 'string') {
      Object.assign(tls, { cert: fromBase64(secrets.crt), key: fromBase64(secrets.key), ...passphrase });
    }
  }
  return request;
}

interface TokenResponse {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
}

/** Fetches a client-credentials token from accessTokenUrl (through ctx.http, so allowedHosts apply). */
async function fetchToken(ctx: Ctx): Promise<string> {
  const { config, secrets } = ctx;
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: config.clientId ?? '',
    client_secret: secrets.clientSecret ?? '',
  });
  if (config.scope) form.set('scope', config.scope);
  for (const [name, value] of Object.entries(parseAdditionalFields(config.additionalFields) ?? {})) {
    form.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  const response = await ctx.http.requestOk({
    url: config.accessTokenUrl ?? '',
    method: 'POST',
    body: form,
    headers: { Accept: 'application/json' },
    ...(ctx.signal && { signal: ctx.signal }),
  });
  const data = response.json<TokenResponse>();
  if (
    typeof data !== 'object' ||
    data === null ||
    typeof data.access_token !== 'string' ||
    data.access_token === ''
  ) {
    throw new Error('the token response has no access_token');
  }
  // Some servers answer "bearer"; the scheme is case-insensitive but a few APIs only accept "Bearer".
  const scheme =
    typeof data.token_type === 'string' && data.token_type.toLowerCase() !== 'bearer'
      ? data.token_type
      : 'Bearer';
  const seconds = Number(data.expires_in);
  const lifetime = Number.isFinite(seconds) && seconds > 0 ? seconds : 3600;
  const token = `${scheme} ${data.access_token}`;
  await ctx.tokens.set(tokenType, token, new Date(Date.now() + lifetime * 1000));
  return token;
}

async function accessToken(ctx: Ctx): Promise<{ token: string; fresh: boolean }> {
  const cached = await ctx.tokens.get(tokenType);
  if (cached && cached.expiresAt.getTime() - Date.now() > tokenExpirySkewMs)
    return { token: cached.token, fresh: false };
  return { token: await fetchToken(ctx), fresh: true };
}

function parseData(response: HttpResponse): unknown {
  if (response.body.length === 0) return undefined;
  const text = response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function retryResult(error: HttpError): ExecutorResult {
  if (error.retryAt) {
    return {
      status: 'error',
      message: `error calling webhook, retry at ${error.retryAt.toISOString()}`,
      serviceMessage: error.message,
      retry: error.retryAt,
    };
  }
  return {
    status: 'error',
    message: 'error calling webhook, retry later',
    serviceMessage: error.message,
    retry: true,
  };
}

/** Maps a failed call to Kibana's webhook results; the retry decision comes from the client's classification. */
function errorResult(error: HttpError): ExecutorResult {
  if (error.kind === 'status' && error.status !== undefined) {
    if (error.retryable) return retryResult(error);
    return {
      status: 'error',
      message: 'error calling webhook, invalid response',
      serviceMessage: error.message,
      retry: false,
      ...(userErrorStatuses.has(error.status) && { errorSource: 'user' as const }),
    };
  }
  return {
    status: 'error',
    message: 'error calling webhook, request failed',
    serviceMessage: error.message,
    retry: error.retryAt ?? error.retryable,
    ...(error.kind === 'host_not_allowed' && { errorSource: 'user' as const }),
  };
}

async function send(ctx: Ctx, request: HttpRequest): Promise<HttpResponse> {
  const withSignal = ctx.signal ? { ...request, signal: ctx.signal } : request;
  if (ctx.config.authType !== webhookAuthTypes.oauth2ClientCredentials) return ctx.http.request(withSignal);
  let token: { token: string; fresh: boolean };
  try {
    token = await accessToken(ctx);
  } catch (error) {
    throw tokenError(error);
  }
  const response = await ctx.http.request({
    ...withSignal,
    headers: { ...withSignal.headers, Authorization: token.token },
  });
  if (response.status !== 401 || token.fresh) return response;
  // The cached token was revoked or rotated early: drop it, get a new one and try exactly once more.
  await ctx.tokens.clear();
  try {
    token = { token: await fetchToken(ctx), fresh: true };
  } catch (error) {
    throw tokenError(error);
  }
  return ctx.http.request({ ...withSignal, headers: { ...withSignal.headers, Authorization: token.token } });
}

/** Keeps the token call's classification but says what failed, like Kibana's message. */
function tokenError(error: unknown): HttpError {
  const detail = error instanceof Error ? error.message : String(error);
  const message = `Unable to retrieve/refresh the access token: ${detail}`;
  if (error instanceof HttpError) {
    return new HttpError({
      kind: error.kind === 'status' ? 'network' : error.kind,
      message,
      endpoint: error.endpoint,
      retryable: error.retryable,
      ...(error.status !== undefined && { status: error.status }),
      ...(error.retryAt && { retryAt: error.retryAt }),
      cause: error,
    });
  }
  return new HttpError({
    kind: 'invalid_json',
    message,
    endpoint: 'POST accessTokenUrl',
    retryable: false,
    cause: error,
  });
}

export const webhookConnectorType = defineConnectorType({
  id: '.webhook',
  name: 'Webhook',
  minimumLicenseRequired: 'gold',
  supportedFeatureIds: ['alerting', 'uptime', 'siem'],
  schemas: { config: WebhookConfig, secrets: WebhookSecrets, params: WebhookParams },
  validate: {
    config: validateConfig,
    secrets: validateSecrets,
    connector: validatePair,
  },
  async execute(ctx, params) {
    const request = buildRequest(ctx.config, ctx.secrets, params.body);
    try {
      const response = await send(ctx, request);
      if (response.status >= 200 && response.status < 300) {
        ctx.logger.debug({ status: response.status }, 'webhook call succeeded');
        const data = parseData(response);
        return data === undefined ? { status: 'ok' } : { status: 'ok', data };
      }
      const error = statusError(response, request.method ?? 'POST');
      ctx.logger.warn(
        { status: response.status },
        `error on ${ctx.connectorId} webhook event: ${error.message}`,
      );
      return errorResult(error);
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.logger.warn({ kind: error.kind }, `error on ${ctx.connectorId} webhook event: ${error.message}`);
        return errorResult(error);
      }
      ctx.logger.error({ err: error }, `error on ${ctx.connectorId} webhook action: unexpected error`);
      return { status: 'error', message: 'error calling webhook, unexpected error' };
    }
  },
});
