import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import type { AttemptRecord } from '../types.js';
import { completeDelivery } from './complete.js';

export interface Completion {
  seq: number;
  attemptLog: AttemptRecord[];
  now: Date;
}

/**
 * Marks several deliveries succeeded in one transaction; returns, per completion, whether it was
 * written (the same `locked_by` guard as `completeDelivery`, row by row).
 *
 * Why: a commit per finished delivery was the largest database cost of the queue (a WAL append
 * on SQLite, an fsync and a round trip on PostgreSQL, where it showed as ~50 % I/O wait). Rows
 * still become `succeeded` only when their attempt log commits; a crash before the commit leaves
 * them `running` and their lease brings them back (at-least-once, as before).
 */
export async function completeDeliveries(
  db: Kysely<Database>,
  workerId: string,
  completions: readonly Completion[],
): Promise<boolean[]> {
  const [single] = completions;
  if (completions.length === 1 && single)
    return [await completeDelivery(db, single.seq, workerId, single.attemptLog, single.now)];
  return db.transaction().execute(async (trx) => {
    const written: boolean[] = [];
    for (const c of completions)
      written.push(await completeDelivery(trx, c.seq, workerId, c.attemptLog, c.now));
    return written;
  });
}
