interface Waiting<T, R> {
  items: T[];
  resolve(results: R[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit for ingest: requests that arrive while a write is in flight are written together
 * in the next transaction, and each gets back its own slice of the results. One commit per
 * request was the cost that bounded ingest on SQLite (one connection, a WAL write per commit);
 * grouping makes it one per group. Order is arrival order, so two requests for one key are
 * planned one after the other exactly as within a batch.
 *
 * If a group fails (a 4xx for one request's alerts, a full queue, a conflict), every request of
 * it runs again alone, so one request's error never becomes another's answer.
 */
export class GroupCommit<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private active = 0;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: { maxItems: number; concurrency: number },
  ) {}

  submit(items: T[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (this.active < this.options.concurrency) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.active += 1;
    try {
      while (this.waiting.length > 0) {
        const group = this.take();
        if (group.length === 1) {
          const [only] = group;
          if (only) await this.run(only.items).then(only.resolve, only.reject);
          continue;
        }
        try {
          const results = await this.run(group.flatMap((entry) => entry.items));
          let offset = 0;
          for (const entry of group) {
            entry.resolve(results.slice(offset, offset + entry.items.length));
            offset += entry.items.length;
          }
        } catch {
          for (const entry of group) await this.run(entry.items).then(entry.resolve, entry.reject);
        }
      }
    } finally {
      this.active -= 1;
    }
  }

  /** The oldest waiting requests up to `maxItems` items (always at least one request). */
  private take(): Waiting<T, R>[] {
    const group: Waiting<T, R>[] = [];
    let count = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (!next || (group.length > 0 && count + next.items.length > this.options.maxItems)) break;
      group.push(next);
      count += next.items.length;
      this.waiting.shift();
    }
    return group;
  }
}
