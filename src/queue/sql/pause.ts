import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';

/**
 * Pauses every delivery of a connector until `until`. A 429 (or 503 with Retry-After) describes
 * the target, not one request: the next delivery would be refused the same way, so the claim
 * skips the connector until then (sql/claim.ts). Kept in the database so every instance obeys it.
 * A later time wins over an earlier one; an earlier one never shortens a pause.
 */
export async function pauseConnector(
  db: Kysely<Database>,
  connectorId: string,
  until: Date,
  reason: string,
): Promise<void> {
  const at = until.toISOString();
  await db
    .insertInto('delivery_pauses')
    .values({ connector_id: connectorId, until: at, reason })
    .onConflict((oc) =>
      oc.column('connector_id').doUpdateSet({ until: at, reason }).where('delivery_pauses.until', '<', at),
    )
    .execute();
}
