import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { enqueueDelivery, type EnqueueResult, type NewDelivery } from './enqueue.js';
import { enqueueDeliveries } from './enqueue-many.js';

interface Waiting {
  delivery: NewDelivery;
  resolve(result: EnqueueResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for enqueues that have no caller's transaction (the enqueue API): the ones that
 * arrive while a batch is being written go together in the next transaction, and each caller
 * hears back only after that commit, so a 202 still means "stored". Measured on SQLite: an
 * autocommitted insert cost ~290 µs (its WAL append and the checkpoints it triggers), most of an
 * enqueue; on PostgreSQL every commit is a WAL flush. Nothing waits on a timer.
 *
 * If a statement of a batch fails (a constraint the validation did not foresee), the batch rolls
 * back and its deliveries are written again one by one, so the bad one fails alone. If the commit
 * itself fails, every caller of the batch gets the error, as a lone caller did before.
 */
export class EnqueueBatch {
  #pending: Waiting[] = [];
  #writing = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 128,
  ) {}

  add(delivery: NewDelivery): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ delivery, resolve, reject });
      if (this.#writing) return;
      this.#writing = true;
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.maxBatch);
      const [single] = batch;
      if (batch.length === 1 && single) {
        await enqueueDelivery(this.db, single.delivery).then(single.resolve, single.reject);
        continue;
      }
      let results: EnqueueResult[] | undefined;
      let failedBeforeCommit = false;
      try {
        results = await this.db.transaction().execute(async (trx) => {
          try {
            return await enqueueDeliveries(
              trx,
              batch.map((entry) => entry.delivery),
            );
          } catch (error) {
            failedBeforeCommit = true;
            throw error;
          }
        });
      } catch (error) {
        // A failed commit may still have stored the rows: writing them again could store them
        // twice, so every caller hears the error (as one caller did before batching).
        if (!failedBeforeCommit) for (const entry of batch) entry.reject(error);
        else
          for (const entry of batch)
            await enqueueDelivery(this.db, entry.delivery).then(entry.resolve, entry.reject);
        continue;
      }
      batch.forEach((entry, index) => {
        const result = results[index];
        if (result) entry.resolve(result);
        else entry.reject(new Error('enqueue batch returned no result'));
      });
    }
    this.#writing = false;
  }
}
