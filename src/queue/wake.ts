import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';

/**
 * In-process "new work" signal. Enqueue fires it for every dialect; on SQLite it is the only fast
 * path (SQLite has no NOTIFY), and because Kysely's SQLite driver runs one query at a time, a
 * worker woken before the enqueuing transaction commits simply reads after it.
 */
export const newWorkSignal = new EventEmitter();
newWorkSignal.setMaxListeners(0);

/** The NOTIFY channel of a schema: instances sharing one database but not one schema stay apart. */
export function channelFor(schema: string): string {
  return `casebridge_deliveries_${schema}`;
}

/**
 * Holds one pool client in LISTEN for the schema's channel and calls `onWake` on every NOTIFY.
 * A lost connection is re-established after a pause; until then the poll interval covers.
 */
export async function listenForWork(
  pool: pg.Pool,
  schema: string | undefined,
  onWake: () => void,
  logger: Logger,
): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.PoolClient | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    if (closed) return;
    try {
      const next = await pool.connect();
      const name =
        schema ?? (await next.query<{ s: string }>('select current_schema() as s')).rows[0]?.s ?? 'public';
      next.on('notification', () => onWake());
      next.on('error', (error) => {
        logger.warn({ err: error }, 'queue: LISTEN connection lost; polling until it is back');
        next.release(error);
        if (client === next) client = undefined;
        retryTimer = setTimeout(() => void connect(), 1_000);
      });
      await next.query(`listen "${channelFor(name).replaceAll('"', '')}"`);
      client = next;
      if (closed) await release();
    } catch (error) {
      logger.warn({ err: error }, 'queue: cannot LISTEN; polling only, trying again');
      retryTimer = setTimeout(() => void connect(), 1_000);
    }
  };
  const release = async (): Promise<void> => {
    const current = client;
    client = undefined;
    if (!current) return;
    try {
      await current.query('unlisten *');
      current.release();
    } catch (error) {
      current.release(error as Error);
    }
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await release();
    },
  };
}
