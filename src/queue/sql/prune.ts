import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/database.js';

export interface PruneOptions {
  now: Date;
  finishedRetentionMs: number;
  deadRetentionMs: number;
  /** Rows deleted per call; a large backlog is worked off over several maintenance rounds. */
  limit: number;
}

/**
 * Deletes finished deliveries past their retention, and pauses that have ended. The outcome of
 * every attempt stays in the execution history (`events`), which the executor wrote. Bounded so
 * one sweep never holds SQLite's write lock for long.
 */
export async function pruneDeliveries(db: Kysely<Database>, options: PruneOptions): Promise<number> {
  const finishedBefore = new Date(options.now.getTime() - options.finishedRetentionMs).toISOString();
  const deadBefore = new Date(options.now.getTime() - options.deadRetentionMs).toISOString();
  const result = await sql`
    delete from deliveries where seq in (
      select seq from deliveries
      where (status in ('succeeded', 'canceled') and finished_at < ${finishedBefore})
         or (status = 'dead' and finished_at < ${deadBefore})
      limit ${options.limit})`.execute(db);
  await db.deleteFrom('delivery_pauses').where('until', '<', options.now.toISOString()).execute();
  return Number(result.numAffectedRows ?? 0n);
}
