import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { authenticateIngestToken } from '../alerts/ingest-auth.js';
import type { Config } from '../config/schema.js';
import { CasebridgeError } from '../errors.js';
import type { Database } from '../store/database.js';
import { apiKeysRepo, hashApiKey, type ApiKeyRole } from '../store/repos/api-keys-repo.js';

export interface Principal {
  name: string;
  role: ApiKeyRole;
  kind: 'api_key' | 'user' | 'ingest_token';
  keyId?: string;
  /** Ingest tokens only: the source the token is bound to, if any. */
  source?: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Routes that answer without credentials (health only). */
    public?: boolean;
    /** Alert ingest routes: also accept ingest tokens, which are refused everywhere else. */
    ingest?: boolean;
  }
}

/** How often `last_used_at` is written per key: a write per request would cost more than the request. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/**
 * Authenticates every request except public routes: `Authorization: ApiKey <key>` (stored
 * hashed) or Basic for users listed in the config. Failing that, 401 with a hint on what to send.
 * Authorisation (role checks) happens in the handlers after validation, as in Kibana, so a
 * malformed request gets its 400 whatever the caller's role.
 */
export function installAuth(app: FastifyInstance, db: Kysely<Database>, auth: Config['auth']): void {
  const { users } = auth;
  const lastWritten = new Map<string, number>();
  const cache = new PrincipalCache(auth.apiKeyCacheSeconds * 1000);
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return;
    const header = request.headers.authorization;
    if (request.routeOptions.config.ingest === true && header !== undefined) {
      const token = await authenticateIngestToken(db, header);
      // role `read`: an ingest token never passes a write check outside the ingest handlers.
      if (token) {
        request.principal = {
          name: token.name,
          role: 'read',
          kind: 'ingest_token',
          keyId: token.id,
          source: token.source,
        };
        return;
      }
    }
    request.principal = await authenticate(request, db, users, lastWritten, cache);
  });
}

/**
 * Valid API keys are remembered for a few seconds so a busy client does not cost a database
 * read per request. The price: a key revoked by another process (the CLI, another instance)
 * keeps working for at most `auth.apiKeyCacheSeconds`. Unknown keys are never cached.
 */
const PRINCIPAL_CACHE_MAX = 1_000;

class PrincipalCache {
  constructor(readonly ttlMs: number) {}
  readonly #entries = new Map<string, { principal: Principal; until: number }>();

  get(hash: string, now: number): Principal | undefined {
    const entry = this.#entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.principal;
    this.#entries.delete(hash);
    return undefined;
  }

  set(hash: string, principal: Principal, now: number): void {
    if (this.ttlMs === 0) return;
    if (this.#entries.size >= PRINCIPAL_CACHE_MAX) this.#entries.clear();
    this.#entries.set(hash, { principal, until: now + this.ttlMs });
  }
}

async function authenticate(
  request: FastifyRequest,
  db: Kysely<Database>,
  users: Config['auth']['users'],
  lastWritten: Map<string, number>,
  cache: PrincipalCache,
): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') {
    throw new CasebridgeError(
      'CB_ERR_UNAUTHENTICATED',
      'Missing credentials; send "Authorization: ApiKey <key>" or Basic credentials.',
    );
  }
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const value = space === -1 ? '' : header.slice(space + 1).trim();
  if (scheme === 'apikey' && value !== '') {
    const hash = hashApiKey(value);
    const now = Date.now();
    const cached = cache.get(hash, now);
    if (cached) return cached;
    const row = await apiKeysRepo.findActiveByHash(db, hash);
    if (row) {
      if ((lastWritten.get(row.id) ?? 0) + LAST_USED_WRITE_INTERVAL_MS < now) {
        lastWritten.set(row.id, now);
        await db
          .updateTable('api_keys')
          .set({ last_used_at: new Date(now).toISOString() })
          .where('id', '=', row.id)
          .execute();
      }
      const principal: Principal = { name: row.name, role: row.role, kind: 'api_key', keyId: row.id };
      cache.set(hash, principal, now);
      return principal;
    }
  } else if (scheme === 'basic' && value !== '') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const user = colon === -1 ? undefined : users.find((candidate) => candidate.username === username);
    if (user && sameSecret(user.password, password))
      return { name: user.username, role: user.role, kind: 'user' };
  } else {
    throw new CasebridgeError(
      'CB_ERR_UNAUTHENTICATED',
      `Unsupported authorization scheme "${scheme}"; use ApiKey or Basic.`,
    );
  }
  throw new CasebridgeError(
    'CB_ERR_UNAUTHENTICATED',
    'Invalid credentials: the API key is unknown or revoked, or the user or password is wrong.',
  );
}

/** Compares digests so the time taken does not depend on where the strings differ. */
function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** Throws 403 with the given (Kibana-worded) message unless the caller may write. */
export function requireAllRole(request: FastifyRequest, message: string): void {
  if (request.principal?.role !== 'all') throw new CasebridgeError('CB_ERR_FORBIDDEN', message);
}
