import type { Completion } from './sql/complete-many.js';

interface Waiting extends Completion {
  resolve(written: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for finished deliveries: completions that arrive while one batch is being written
 * wait and go together in the next transaction. Nothing waits on a timer: an idle queue writes a
 * lone completion at once (after the current I/O phase, `setImmediate`), a busy one gathers as
 * many as finished during the previous write. Measured on SQLite: ~one commit per 20–60
 * deliveries instead of one each under the benchmark's load.
 */
export class CompletionBatch {
  #pending: Waiting[] = [];
  #writing = false;

  constructor(
    private readonly write: (batch: readonly Completion[]) => Promise<boolean[]>,
    private readonly maxBatch = 256,
  ) {}

  /** Resolves once the completion has committed: whether its lease guard let it be written. */
  complete(completion: Completion): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ...completion, resolve, reject });
      if (this.#writing) return;
      this.#writing = true;
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.maxBatch);
      try {
        const written = await this.write(batch);
        batch.forEach((entry, index) => entry.resolve(written[index] ?? false));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.#writing = false;
  }
}
