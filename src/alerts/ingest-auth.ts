import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { INGEST_TOKEN_PREFIX, ingestTokensRepo } from '../store/repos/ingest-tokens-repo.js';

/** How often `last_used_at` is written per token: a write per alert would cost more than the alert. */
const TOUCH_INTERVAL_MS = 60_000;
const touched = new Map<string, number>();

/**
 * Reads an ingest token from `Authorization: Bearer cbi_…` or Basic with the token as password
 * (Alertmanager's `basic_auth` and Kibana's webhook basic auth need a user name; any is accepted).
 * Returns undefined when the header holds no ingest token, so other schemes are tried.
 */
export async function authenticateIngestToken(
  db: Kysely<Database>,
  header: string,
): Promise<{ name: string; source: string | null; id: string } | undefined> {
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space === -1 ? header.length : space).toLowerCase();
  const value = space === -1 ? '' : header.slice(space + 1).trim();
  let token: string | undefined;
  if (scheme === 'bearer') token = value;
  else if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    token = decoded.slice(decoded.indexOf(':') + 1);
  }
  if (token === undefined || !token.startsWith(INGEST_TOKEN_PREFIX)) return undefined;
  const row = await ingestTokensRepo.findActive(db, token);
  if (!row) return undefined;
  const now = Date.now();
  if ((touched.get(row.id) ?? 0) + TOUCH_INTERVAL_MS < now) {
    touched.set(row.id, now);
    await ingestTokensRepo.touch(db, row.id, new Date(now).toISOString());
  }
  return { id: row.id, name: row.name, source: row.source };
}
