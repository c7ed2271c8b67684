import type { Kysely } from 'kysely';
import type { TokenStore } from '../connectors/contract.js';
import type { Keyring } from '../secrets/keyring.js';
import type { Database } from '../store/database.js';
import { tokensRepo } from '../store/repos/tokens-repo.js';

/** Associated data for a token ciphertext: binds it to its connector and token type. */
export function tokenAad(connectorId: string, tokenType: string): string {
  return `token:${connectorId}:${tokenType}`;
}

/**
 * The `ctx.tokens` handed to a connector: OAuth tokens cached in the store, encrypted like
 * secrets, so several instances share one token and a restart does not fetch a new one.
 * A token that cannot be decrypted (key lost) is treated as absent: a new one is fetched.
 */
export function createTokenStore(db: Kysely<Database>, keyring: Keyring, connectorId: string): TokenStore {
  return {
    async get(tokenType) {
      const row = await tokensRepo.get(db, connectorId, tokenType);
      if (!row) return undefined;
      const expiresAt = new Date(row.expires_at);
      if (Number.isNaN(expiresAt.getTime())) return undefined;
      try {
        return { token: keyring.decrypt(row.token, tokenAad(connectorId, tokenType)), expiresAt };
      } catch {
        return undefined;
      }
    },
    async set(tokenType, token, expiresAt) {
      const sealed = keyring.encrypt(token, tokenAad(connectorId, tokenType));
      await tokensRepo.upsert(db, connectorId, tokenType, sealed, expiresAt.toISOString());
    },
    async clear() {
      await tokensRepo.clear(db, connectorId);
    },
  };
}
