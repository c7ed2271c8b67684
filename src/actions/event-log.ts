import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/database.js';
import { eventsRepo, type EventFilter, type EventRow } from '../store/repos/events-repo.js';

/**
 * The execution history, written behind: rows gather for a few milliseconds and go to the
 * database in one statement. A commit per run was the largest database cost of `_execute`
 * (each commit appends to the WAL or makes a PostgreSQL round trip). The price: a process
 * crash can lose the last few milliseconds of history rows. Deliveries are not affected: the
 * queue keeps its own attempt log in the delivery row, written in its own transaction.
 * Readers call `find`, which flushes first, so what the API lists includes every run that
 * returned before the request.
 */
export class EventLog {
  #pending: EventRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
    private readonly options: { maxDelayMs: number; maxBatch: number } = { maxDelayMs: 10, maxBatch: 200 },
  ) {}

  record(row: EventRow): void {
    this.#pending.push(row);
    if (this.#pending.length >= this.options.maxBatch) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.options.maxDelayMs);
  }

  /** Writes everything recorded so far; resolves when it is stored (or its failure logged). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    // Chained so batches land in the order they were recorded.
    this.#writing = this.#writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await eventsRepo.insertMany(this.db, batch);
      } catch (error) {
        // The runs happened; losing their history rows must not fail anything else.
        this.logger.error({ err: error, rows: batch.length }, 'could not record execution events');
      }
    });
    return this.#writing;
  }

  async find(filter: EventFilter): ReturnType<typeof eventsRepo.find> {
    await this.flush();
    return eventsRepo.find(this.db, filter);
  }
}
