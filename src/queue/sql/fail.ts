import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import type { AttemptRecord } from '../types.js';

export interface FailOptions {
  seq: number;
  workerId: string;
  /** Decided by retry-schedule.ts: when to run again, or `undefined` for "dead". */
  retryAt: Date | undefined;
  error: string;
  attemptLog: AttemptRecord[];
  now: Date;
}

/**
 * Records a failed attempt: back to `retrying` with its next run time, or `dead` when the result
 * was final or the attempts are used up. Unlike graphile-worker's failJobs, the delay is computed
 * in TypeScript, not SQL: it depends on the connector's answer (`retry: Date`) and on a jittered
 * schedule that has to behave the same on both dialects. Guarded by `locked_by` like complete.
 */
export async function failDelivery(db: Kysely<Database>, options: FailOptions): Promise<boolean> {
  const at = options.now.toISOString();
  const result = await db
    .updateTable('deliveries')
    .set({
      status: options.retryAt ? 'retrying' : 'dead',
      run_at: options.retryAt ? options.retryAt.toISOString() : at,
      locked_by: null,
      locked_until: null,
      last_error: options.error,
      attempt_log: JSON.stringify(options.attemptLog),
      finished_at: options.retryAt ? null : at,
      updated_at: at,
    })
    .where('seq', '=', options.seq)
    .where('locked_by', '=', options.workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
