// POST /oauth_token.do: the password, client_credentials, refresh_token and JWT bearer grants, and
// the bearer tokens they issue. Every refusal answers the same 401 body a real instance sends
// ({"error_description":"access_denied","error":"server_error"}); the reason goes to the request
// log's `note` so tests can still tell the cases apart.
import { randomBytes } from 'node:crypto';
import {
  decodeProtectedHeader,
  importSPKI,
  importX509,
  jwtVerify,
  type CryptoKey,
  type KeyObject,
} from 'jose';
import type { AuthUser, BearerLookup, UserRegistry } from './auth.js';
import type { SimResponse } from './responses.js';
import type { SimGrant, SimOAuthClient } from './types.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const DEFAULT_GRANTS: SimGrant[] = ['password', 'refresh_token', JWT_GRANT];
const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

interface Issued {
  user: AuthUser;
  clientId: string;
  expiresAt: number;
}

export interface TokenResult {
  response: SimResponse;
  note: string;
  user?: string;
}

class Refused extends Error {}

export class OAuthServer implements BearerLookup {
  private readonly access = new Map<string, Issued>();
  private readonly refresh = new Map<string, Issued>();
  private readonly seenJti = new Set<string>();
  private readonly clients = new Map<string, SimOAuthClient>();
  private readonly keys = new Map<string, Promise<CryptoKey | KeyObject>>();

  constructor(
    private readonly users: UserRegistry,
    clients: SimOAuthClient[],
    public accessLifetimeSeconds: number,
    public refreshLifetimeSeconds: number,
  ) {
    for (const c of clients) this.clients.set(c.client_id, c);
  }

  addClient(client: SimOAuthClient): void {
    this.clients.set(client.client_id, client);
    for (const key of this.keys.keys()) if (key.startsWith(`${client.client_id}|`)) this.keys.delete(key);
  }

  userForToken(token: string): AuthUser | undefined {
    const issued = this.access.get(token);
    if (!issued) return undefined;
    if (issued.expiresAt <= Date.now()) {
      this.access.delete(token);
      return undefined;
    }
    return issued.user;
  }

  /** Makes every issued access token expire now (refresh tokens stay valid), to test re-auth paths. */
  expireAccessTokens(): void {
    for (const issued of this.access.values()) issued.expiresAt = 0;
  }

  revokeAll(): void {
    this.access.clear();
    this.refresh.clear();
    this.seenJti.clear();
  }

  async handle(contentType: string, body: string, authorization: string | undefined): Promise<TokenResult> {
    try {
      // The endpoint only reads form bodies; a JSON body carries no parameters it can see.
      const form = contentType.includes('application/x-www-form-urlencoded')
        ? new URLSearchParams(body)
        : new URLSearchParams();
      const client = this.client(form, authorization);
      const grant = form.get('grant_type') ?? '';
      if (!(client.grants ?? DEFAULT_GRANTS).includes(grant as SimGrant)) {
        throw new Refused(`grant ${grant || '(none)'} not enabled for client`);
      }
      const { user, withRefresh } = await this.grant(grant, form, client);
      return {
        response: this.issue(user, client.client_id, withRefresh, form),
        note: `issued (${grant})`,
        user: user.user_name,
      };
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      return {
        response: { status: 401, json: { error_description: 'access_denied', error: 'server_error' } },
        note: err.message,
      };
    }
  }

  private client(form: URLSearchParams, authorization: string | undefined): SimOAuthClient {
    let id = form.get('client_id') ?? '';
    let secret = form.get('client_secret') ?? '';
    if (authorization?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        id = decodeURIComponent(decoded.slice(0, colon));
        secret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    const client = this.clients.get(id);
    if (!client) throw new Refused(`unknown client_id ${id || '(none)'}`);
    if (client.client_secret !== secret) throw new Refused('wrong client_secret');
    return client;
  }

  private async grant(
    grant: string,
    form: URLSearchParams,
    client: SimOAuthClient,
  ): Promise<{ user: AuthUser; withRefresh: boolean }> {
    switch (grant) {
      case 'password': {
        const user = this.users.verifyPassword(form.get('username') ?? '', form.get('password') ?? '');
        if (!user) throw new Refused('wrong username or password');
        return { user, withRefresh: true };
      }
      case 'refresh_token': {
        const token = form.get('refresh_token') ?? '';
        const issued = this.refresh.get(token);
        if (!issued || issued.clientId !== client.client_id) throw new Refused('unknown refresh_token');
        if (issued.expiresAt <= Date.now()) throw new Refused('refresh_token expired');
        return { user: issued.user, withRefresh: true };
      }
      case 'client_credentials': {
        const user = client.applicationUser
          ? this.users.find('user_name', client.applicationUser)
          : undefined;
        if (!user) throw new Refused('client has no OAuth application user');
        return { user, withRefresh: false };
      }
      case JWT_GRANT:
        return { user: await this.verifyAssertion(form.get('assertion') ?? '', client), withRefresh: false };
      default:
        throw new Refused(`unsupported grant_type ${grant}`);
    }
  }

  private async verifyAssertion(assertion: string, client: SimOAuthClient): Promise<AuthUser> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(assertion).kid;
    } catch {
      throw new Refused('assertion is not a JWT');
    }
    const verifier = client.jwtVerifiers?.find((v) => v.kid === kid);
    if (!verifier) throw new Refused(`no JWT verifier for kid ${kid ?? '(none)'}`);
    const cacheKey = `${client.client_id}|${verifier.kid}`;
    let key = this.keys.get(cacheKey);
    if (!key) {
      const pem = verifier.publicKeyPem;
      key = pem.includes('BEGIN CERTIFICATE') ? importX509(pem, 'RS256') : importSPKI(pem, 'RS256');
      this.keys.set(cacheKey, key);
    }
    let payload;
    try {
      // A verifier whose PEM cannot be read refuses the grant like a wrong key would.
      ({ payload } = await jwtVerify(assertion, await key, {
        issuer: client.client_id,
        audience: client.client_id,
        algorithms: JWT_ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw new Refused(`JWT rejected: ${(err as Error).message}`);
    }
    if (payload.jti !== undefined) {
      // JTI replay verification is on by default on the platform.
      if (this.seenJti.has(payload.jti)) throw new Refused('JWT jti already used');
      this.seenJti.add(payload.jti);
    }
    const user = this.users.find(client.userField ?? 'user_name', payload.sub ?? '');
    if (!user) throw new Refused(`no user with ${client.userField ?? 'user_name'} = ${payload.sub}`);
    return user;
  }

  private issue(user: AuthUser, clientId: string, withRefresh: boolean, form: URLSearchParams): SimResponse {
    const now = Date.now();
    const accessToken = randomBytes(64).toString('base64url');
    this.access.set(accessToken, { user, clientId, expiresAt: now + this.accessLifetimeSeconds * 1000 });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      scope: form.get('scope') ?? 'useraccount',
      token_type: 'Bearer',
      // The platform reports one second less than the configured lifespan (1799 for 30 minutes).
      expires_in: Math.max(this.accessLifetimeSeconds - 1, 0),
    };
    if (withRefresh) {
      const existing = form.get('refresh_token');
      const refreshToken =
        existing && this.refresh.has(existing) ? existing : randomBytes(64).toString('base64url');
      if (refreshToken !== existing) {
        this.refresh.set(refreshToken, {
          user,
          clientId,
          expiresAt: now + this.refreshLifetimeSeconds * 1000,
        });
      }
      body.refresh_token = refreshToken;
    }
    return { status: 200, json: body };
  }
}
