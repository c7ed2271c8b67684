import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/database.js';

/**
 * Gives claimed deliveries back without counting the attempt: on shutdown for runs that did not
 * finish in time, and right after a claim for deliveries over the per-connector cap. They become
 * due at once so another worker (or this one after a restart) takes them. An attempt that never
 * reached the target must not use up the delivery's attempts (graphile-worker's returnJobs).
 */
export async function releaseDeliveries(
  db: Kysely<Database>,
  seqs: readonly number[],
  workerId: string,
  now: Date,
): Promise<number> {
  if (seqs.length === 0) return 0;
  const at = now.toISOString();
  const result = await db
    .updateTable('deliveries')
    .set({
      status: sql<string>`case when attempts <= 1 then 'queued' else 'retrying' end`,
      attempts: sql<number>`attempts - 1`,
      run_at: at,
      locked_by: null,
      locked_until: null,
      updated_at: at,
    })
    .where('seq', 'in', seqs)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
