import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { connectorsRepo } from '../store/repos/connectors-repo.js';
import { tokensRepo } from '../store/repos/tokens-repo.js';
import { tokenAad } from '../actions/token-store.js';
import type { Keyring } from './keyring.js';

export interface RotationReport {
  connectors: number;
  tokens: number;
  /** Connectors whose secrets no configured key opens; they are left as they are. */
  unreadable: string[];
}

/**
 * Re-encrypts every stored secret and token under the keyring's current key. Each row is
 * rewritten on its own, so a crash half-way leaves every row readable by the old or the new key,
 * and running it again finishes the job.
 */
export async function reencryptAll(
  db: Kysely<Database>,
  keyring: Keyring,
  onProgress?: (done: number, total: number) => void,
): Promise<RotationReport> {
  const report: RotationReport = { connectors: 0, tokens: 0, unreadable: [] };
  const rows = await connectorsRepo.list(db);
  const tokens = await tokensRepo.listAll(db);
  const total = rows.length + tokens.length;
  let done = 0;
  for (const row of rows) {
    if (keyring.keyIdOf(row.secrets) !== keyring.currentKeyId) {
      try {
        const plain = keyring.decrypt(row.secrets, row.id);
        await connectorsRepo.updateSecrets(db, row.id, keyring.encrypt(plain, row.id));
        report.connectors += 1;
      } catch {
        report.unreadable.push(row.id);
      }
    }
    onProgress?.(++done, total);
  }
  for (const token of tokens) {
    const aad = tokenAad(token.connector_id, token.token_type);
    if (keyring.keyIdOf(token.token) !== keyring.currentKeyId) {
      try {
        await tokensRepo.updateToken(
          db,
          token.connector_id,
          token.token_type,
          keyring.encrypt(keyring.decrypt(token.token, aad), aad),
        );
        report.tokens += 1;
      } catch {
        // A cached token that cannot be read is worthless: drop it, a new one will be fetched.
        await tokensRepo.clear(db, token.connector_id);
      }
    }
    onProgress?.(++done, total);
  }
  return report;
}
