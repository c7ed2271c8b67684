import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/database.js';

/**
 * Takes back deliveries whose lease ran out: their worker crashed, was killed, lost its database
 * connection or hung past the lease. They run again (`retrying`, due now), or go `dead` when that
 * lost attempt was their last. The attempt counts: a delivery that kills its worker every time
 * must end, not loop.
 *
 * The attempt log is appended in SQL (plain text concatenation, valid on both dialects) because
 * no live worker holds this row's log any more. `updated_at` was set at claim, so it is the
 * attempt's start. Any worker may run this; concurrent sweeps touch each row once, since the
 * second sees it no longer `running`.
 */
export async function releaseStaleDeliveries(
  db: Kysely<Database>,
  now: Date,
): Promise<Array<{ id: string; connector_id: string; status: string }>> {
  const at = now.toISOString();
  const entry = sql<string>`'{"attempt":' || cast(attempts as text) || ',"started_at":"' || updated_at
    || '","duration_ms":0,"outcome":"lease_expired","error":"lease expired before the attempt finished","worker":"'
    || coalesce(locked_by, '') || '"}'`;
  return db
    .updateTable('deliveries')
    .set({
      status: sql<string>`case when attempts >= max_attempts then 'dead' else 'retrying' end`,
      finished_at: sql<string | null>`case when attempts >= max_attempts then ${at} else null end`,
      run_at: at,
      locked_by: null,
      locked_until: null,
      last_error: sql<string>`'lease expired: worker ' || coalesce(locked_by, '?') || ' did not finish attempt ' || cast(attempts as text)`,
      attempt_log: sql<string>`case when attempt_log = '[]' then '[' else substr(attempt_log, 1, length(attempt_log) - 1) || ',' end || ${entry} || ']'`,
      updated_at: at,
    })
    .where('status', '=', 'running')
    .where('locked_until', '<', at)
    .returning(['id', 'connector_id', 'status'])
    .execute();
}
