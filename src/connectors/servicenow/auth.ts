import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ExecutionContext } from '../contract.js';
import { HttpError } from '../http-types.js';
import { retryAtFromResponse } from '../retry-after.js';
import { ServiceNowError, type AuthMode } from './errors.js';
import type { ServiceNowConfigType, ServiceNowSecretsType } from './schema.js';
import { grantOf } from './validation.js';

/**
 * The Authorization header for every ServiceNow call. Basic is a fixed header. The OAuth grants
 * (Kibana's JWT bearer, plus password and client credentials) share one token cache: the token
 * lives encrypted in the store through `ctx.tokens` with its expiry, so every instance and every
 * run reuses it; it is renewed shortly before it expires, with the refresh token when the
 * instance issued one; after a 401 the client invalidates it and retries the call once.
 */
export interface AuthProvider {
  readonly mode: AuthMode;
  readonly renewable: boolean;
  header(): Promise<string>;
  /** Drops the access token (keeps the refresh token) so the next header() fetches a new one. */
  invalidate(): Promise<void>;
}

type Ctx = ExecutionContext<ServiceNowConfigType, ServiceNowSecretsType>;

const ACCESS = 'access_token';
const REFRESH = 'refresh_token';
// Renew this long before expiry, so a token cannot lapse between the check and the call.
const EXPIRY_SKEW_MS = 60_000;
const JWT_LIFETIME_S = 3600;
// ServiceNow does not report the refresh token's lifetime; its default is 100 days.
const REFRESH_LIFETIME_MS = 99 * 24 * 3600 * 1000;
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** One token request per connector at a time, however many runs ask at once. */
const inFlight = new Map<string, Promise<string>>();

export function authModeOf(config: ServiceNowConfigType): AuthMode {
  const grant = grantOf(config);
  if (grant === null) return 'basic';
  return grant === 'jwt' ? 'oauth_jwt' : grant === 'password' ? 'oauth_password' : 'oauth_client_credentials';
}

export function createAuth(ctx: Ctx, base: string): AuthProvider {
  const mode = authModeOf(ctx.config);
  if (mode === 'basic') {
    const value = `Basic ${Buffer.from(`${ctx.secrets.username ?? ''}:${ctx.secrets.password ?? ''}`).toString('base64')}`;
    return { mode, renewable: false, header: async () => value, invalidate: async () => undefined };
  }
  let current: string | undefined;
  return {
    mode,
    renewable: true,
    async header() {
      if (current !== undefined) return current;
      const stored = await ctx.tokens.get(ACCESS);
      if (stored && stored.token !== '' && stored.expiresAt.getTime() - Date.now() > EXPIRY_SKEW_MS) {
        current = stored.token;
        return current;
      }
      let pending = inFlight.get(ctx.connectorId);
      if (!pending) {
        pending = fetchToken(ctx, base, mode).finally(() => inFlight.delete(ctx.connectorId));
        inFlight.set(ctx.connectorId, pending);
      }
      current = await pending;
      return current;
    },
    async invalidate() {
      current = undefined;
      await ctx.tokens.set(ACCESS, '', new Date(0));
    },
  };
}

interface TokenAnswer {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  error?: unknown;
  error_description?: unknown;
}

async function fetchToken(ctx: Ctx, base: string, mode: AuthMode): Promise<string> {
  const { config, secrets } = ctx;
  const client = { client_id: config.clientId ?? '', client_secret: secrets.clientSecret ?? '' };
  let answer: TokenAnswer | undefined;
  const refresh = mode === 'oauth_password' ? await ctx.tokens.get(REFRESH) : undefined;
  if (refresh && refresh.token !== '' && refresh.expiresAt.getTime() > Date.now()) {
    try {
      answer = await requestToken(ctx, base, mode, {
        ...client,
        grant_type: 'refresh_token',
        refresh_token: refresh.token,
      });
    } catch (error) {
      // A revoked or expired refresh token: fall back to the password grant below.
      ctx.logger.debug({ err: (error as Error).message }, 'refresh token refused; using the password grant');
    }
  }
  if (!answer) {
    const form: Record<string, string> =
      mode === 'oauth_jwt'
        ? { assertion: await createAssertion(ctx), ...client, grant_type: JWT_GRANT }
        : mode === 'oauth_password'
          ? {
              ...client,
              grant_type: 'password',
              password: secrets.password ?? '',
              username: secrets.username ?? '',
            }
          : { ...client, grant_type: 'client_credentials' };
    answer = await requestToken(ctx, base, mode, form);
  }
  const requestedAt = Date.now();
  const type =
    typeof answer.token_type === 'string' && answer.token_type !== '' ? answer.token_type : 'Bearer';
  const header = `${type} ${String(answer.access_token)}`;
  const lifetime =
    typeof answer.expires_in === 'number' ? answer.expires_in : Number(answer.expires_in ?? 3600);
  const expiresAt = new Date(requestedAt + (Number.isFinite(lifetime) ? lifetime : 3600) * 1000);
  try {
    await ctx.tokens.set(ACCESS, header, expiresAt);
    if (typeof answer.refresh_token === 'string' && answer.refresh_token !== '')
      await ctx.tokens.set(REFRESH, answer.refresh_token, new Date(requestedAt + REFRESH_LIFETIME_MS));
  } catch (error) {
    // Kibana's rule: a token that cannot be cached is still used for this run.
    ctx.logger.warn(
      { err: (error as Error).message },
      `Not able to update connector token for connectorId: ${ctx.connectorId}`,
    );
  }
  return header;
}

async function requestToken(
  ctx: Ctx,
  base: string,
  mode: AuthMode,
  fields: Record<string, string>,
): Promise<TokenAnswer> {
  // Kibana's encoder orders keys alphabetically; ServiceNow does not care, the order only helps tests.
  const form = new URLSearchParams(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
  let response;
  try {
    response = await ctx.http.request({
      url: `${base}/oauth_token.do`,
      method: 'POST',
      body: form,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
        Accept: 'application/json',
      },
      ...(ctx.signal && { signal: ctx.signal }),
    });
  } catch (error) {
    if (error instanceof HttpError)
      throw new ServiceNowError(error.message, { status: 'none', retry: error.retryable, userError: false });
    throw error;
  }
  let body: TokenAnswer = {};
  try {
    body = response.json<TokenAnswer>() ?? {};
  } catch {
    body = {};
  }
  if (response.status === 200 && typeof body.access_token === 'string' && body.access_token !== '')
    return body;
  const status = response.status;
  const retry = status === 429 ? (retryAtFromResponse(status, response.headers) ?? true) : status >= 500;
  const error = typeof body.error === 'string' ? body.error : `Request failed with status code ${status}`;
  const detail = typeof body.error_description === 'string' ? body.error_description : '';
  throw new ServiceNowError(`Unable to get an OAuth access token (${mode}): ${error}`, {
    status,
    retry,
    userError: status < 500,
    reason: detail,
  });
}

async function createAssertion(ctx: Ctx): Promise<string> {
  const { config, secrets } = ctx;
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: secrets.privateKey ?? '',
      ...(secrets.privateKeyPassword ? { passphrase: secrets.privateKeyPassword } : {}),
    });
  } catch (error) {
    ctx.logger.warn('Unable to generate JWT token: the private key could not be read');
    throw new ServiceNowError(`Unable to generate JWT token. Error: ${(error as Error).message}`);
  }
  const now = Math.floor(Date.now() / 1000);
  try {
    return await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(config.jwtKeyId ? { kid: config.jwtKeyId } : {}) })
      .setSubject(config.userIdentifierValue ?? '')
      .setAudience(config.clientId ?? '')
      .setIssuer(config.clientId ?? '')
      .setIssuedAt(now)
      .setExpirationTime(now + JWT_LIFETIME_S)
      // ServiceNow verifies JTI replay by default; Kibana sends none, which only works with it off.
      .setJti(randomUUID())
      .sign(key);
  } catch (error) {
    throw new ServiceNowError(`Unable to generate JWT token. Error: ${(error as Error).message}`);
  }
}
