import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import type { AttemptRecord } from '../types.js';

/**
 * Marks a delivery succeeded. Guarded by `locked_by`: if this worker's lease expired and another
 * worker took the delivery, this write must not overwrite that worker's state, so it changes
 * nothing and reports `false` (the run still happened: at-least-once, see docs/delivery.md).
 */
export async function completeDelivery(
  db: Kysely<Database>,
  seq: number,
  workerId: string,
  attemptLog: AttemptRecord[],
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const result = await db
    .updateTable('deliveries')
    .set({
      status: 'succeeded',
      locked_by: null,
      locked_until: null,
      last_error: null,
      attempt_log: JSON.stringify(attemptLog),
      finished_at: at,
      updated_at: at,
    })
    .where('seq', '=', seq)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
