import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ActionsService } from '../actions/actions-service.js';
import type { ConnectorRecord } from '../actions/connector-record.js';
import { executeConnector, type ExecutionOutcome } from '../actions/executor.js';
import { CasebridgeError } from '../errors.js';
import type { Store } from '../store/db.js';
import type { DeliveryEvents } from './events.js';
import type { DeliveryHandlers } from './handlers.js';
import { decideRetry, type RetrySchedule } from './retry-schedule.js';
import { claimDeliveries } from './sql/claim.js';
import { CompletionBatch } from './completion-batch.js';
import { completeDelivery } from './sql/complete.js';
import { completeDeliveries } from './sql/complete-many.js';
import { failDelivery } from './sql/fail.js';
import { pauseConnector } from './sql/pause.js';
import { pruneDeliveries } from './sql/prune.js';
import { releaseDeliveries } from './sql/release.js';
import { releaseStaleDeliveries } from './sql/release-stale.js';
import type { AttemptRecord, ClaimedDelivery } from './types.js';
import { listenForWork, newWorkSignal } from './wake.js';

/** Least time between two claims unless the last one came back full (see `loop`). */
const CLAIM_GAP_MS = 5;

/** Worker settings in milliseconds (parsed from the `queue` config by delivery-queue.ts). */
export interface WorkerSettings {
  concurrency: number;
  perConnectorConcurrency: number;
  batchSize: number;
  pollIntervalMs: number;
  leaseMs: number;
  maintenanceIntervalMs: number;
  finishedRetentionMs: number;
  deadRetentionMs: number;
  shutdownTimeoutMs: number;
  retry: RetrySchedule;
}

export interface WorkerDeps {
  store: Store;
  actions: ActionsService;
  events: DeliveryEvents;
  logger: Logger;
  settings: WorkerSettings;
  /** How deliveries of an origin run and what is recorded when they succeed (handlers.ts). */
  handlers?: DeliveryHandlers;
  workerId?: string;
}

interface Running {
  delivery: ClaimedDelivery;
  controller: AbortController;
  done: Promise<void>;
  /** Set when shutdown gave the delivery back; its late result must not be written. */
  released: boolean;
}

/**
 * Claims due deliveries and runs them: a global concurrency, a cap per connector, leases, retries
 * and graceful shutdown. One loop claims; each delivery runs on its own promise and wakes the
 * loop when it finishes, so a free slot is refilled at once.
 */
export class DeliveryWorker {
  readonly workerId: string;
  private readonly running = new Map<number, Running>();
  private readonly perConnector = new Map<string, number>();
  private stopping = false;
  private wakeRequested = false;
  private wakeSleeper: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private listener: { close(): Promise<void> } | undefined;
  private maintaining: Promise<void> = Promise.resolve();
  private readonly onSignal = () => this.wake();
  /**
   * Free slots that justify a claim. Claiming for every single finished delivery costs a query
   * per delivery (measured: ~1 ms on SQLite, ~3 ms on PostgreSQL for a claim of one, against
   * 64 rows for ~2 ms), so the loop refills in batches once half a batch of slots is free.
   */
  private readonly refillAt: number;
  private lastClaimAt = 0;
  /** Successes without a handler hook commit together (see completion-batch.ts). */
  private readonly completions: CompletionBatch;

  constructor(private readonly deps: WorkerDeps) {
    this.workerId = deps.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.completions = new CompletionBatch((batch) =>
      completeDeliveries(deps.store.db, this.workerId, batch),
    );
    const { batchSize, concurrency } = deps.settings;
    this.refillAt = Math.max(1, Math.floor(Math.min(batchSize, concurrency) / 2));
  }

  get activeCount(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    const { store, logger, settings } = this.deps;
    newWorkSignal.on('work', this.onSignal);
    if (store.pgPool) this.listener = await listenForWork(store.pgPool, store.schema, this.onSignal, logger);
    this.loopDone = this.loop();
    // Expired leases of a previous run of this process are due for a look now, not in 30 s.
    this.maintaining = this.maintain();
    this.maintenanceTimer = setInterval(() => {
      this.maintaining = this.maintain();
    }, settings.maintenanceIntervalMs);
    this.maintenanceTimer.unref();
    this.deps.events.emit('worker:started', { workerId: this.workerId });
  }

  /** Wakes the claim loop: new work, a free slot, or a test that does not want to wait. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  /**
   * Stops claiming, lets running deliveries finish for up to `shutdownTimeout`, then aborts and
   * releases the rest (their attempt not counted) so a restart or another instance runs them.
   */
  async stop(timeoutMs: number = this.deps.settings.shutdownTimeoutMs): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    newWorkSignal.off('work', this.onSignal);
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    this.wake();
    await this.loopDone;
    await this.maintaining;
    await this.listener?.close();

    const allDone = () => Promise.all([...this.running.values()].map((entry) => entry.done));
    await withTimeout(allDone(), timeoutMs);
    let released = 0;
    if (this.running.size > 0) {
      const left = [...this.running.values()];
      for (const entry of left) {
        entry.released = true;
        entry.controller.abort(new Error('casebridge is shutting down'));
      }
      released = await releaseDeliveries(
        this.deps.store.db,
        left.map((entry) => entry.delivery.seq),
        this.workerId,
        new Date(),
      );
      this.deps.events.emit('delivery:released', { count: released, reason: 'shutdown' });
      // Aborted runs still record their history row; give them a moment before the store closes.
      await withTimeout(allDone(), 2_000);
    }
    this.deps.events.emit('worker:stopped', { workerId: this.workerId, released });
  }

  private async loop(): Promise<void> {
    let full = false;
    while (!this.stopping) {
      // Wakes come per enqueue; under a stream of enqueues that would be a claim per delivery.
      // Leaving a few milliseconds between claims that found little lets work gather into
      // batches (claim cost barely grows with the batch) for a small, bounded latency.
      const gap = this.lastClaimAt + CLAIM_GAP_MS - Date.now();
      if (!full && gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
      if (this.stopping) break;
      this.lastClaimAt = Date.now();
      full = false;
      try {
        full = await this.fill();
      } catch (error) {
        this.deps.events.emit('worker:error', { workerId: this.workerId, error });
      }
      if (this.stopping) break;
      // A full batch suggests more is due: claim again at once rather than waiting.
      if (full && this.running.size < this.deps.settings.concurrency) continue;
      await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(done, this.deps.settings.pollIntervalMs);
      this.wakeSleeper = done;
    });
  }

  /** One claim; returns whether it came back full. */
  private async fill(): Promise<boolean> {
    const { settings } = this.deps;
    const free = settings.concurrency - this.running.size;
    if (free <= 0 || (free < this.refillAt && this.running.size > 0)) return false;
    const limit = Math.min(settings.batchSize, free);
    const atCap = [...this.perConnector].filter(([, n]) => n >= settings.perConnectorConcurrency);
    const claimed = await claimDeliveries(this.deps.store, {
      workerId: this.workerId,
      now: new Date(),
      leaseMs: settings.leaseMs,
      limit,
      excludeConnectors: atCap.map(([id]) => id),
    });
    const overflow: number[] = [];
    // One connector read per claimed batch rather than per delivery: the deliveries of a batch
    // start together, so they see the connector as it was when they were claimed.
    const records = new Map<string, Promise<ConnectorRecord | undefined>>();
    const recordOf = (id: string): Promise<ConnectorRecord | undefined> => {
      let record = records.get(id);
      if (record === undefined) {
        record = this.deps.actions.findRecord(id);
        records.set(id, record);
      }
      return record;
    };
    for (const delivery of claimed) {
      const current = this.perConnector.get(delivery.connectorId) ?? 0;
      // The claim cannot count per connector inside one batch; what exceeds the cap goes back.
      if (current >= settings.perConnectorConcurrency || this.stopping) {
        overflow.push(delivery.seq);
        continue;
      }
      this.perConnector.set(delivery.connectorId, current + 1);
      this.startRun(delivery, recordOf);
    }
    if (overflow.length > 0) {
      await releaseDeliveries(this.deps.store.db, overflow, this.workerId, new Date());
      this.deps.events.emit('delivery:released', { count: overflow.length, reason: 'connector_cap' });
    }
    return claimed.length === limit && overflow.length === 0;
  }

  private startRun(
    delivery: ClaimedDelivery,
    recordOf: (id: string) => Promise<ConnectorRecord | undefined>,
  ): void {
    const controller = new AbortController();
    const entry: Running = { delivery, controller, done: Promise.resolve(), released: false };
    this.running.set(delivery.seq, entry);
    this.deps.events.emit('delivery:claimed', {
      id: delivery.id,
      connectorId: delivery.connectorId,
      attempt: delivery.attempt,
      workerId: this.workerId,
      waitedMs: Math.max(0, Date.now() - Date.parse(delivery.runAt)),
    });
    entry.done = this.run(entry, recordOf)
      .catch((error: unknown) => this.deps.events.emit('worker:error', { workerId: this.workerId, error }))
      .finally(() => {
        this.running.delete(delivery.seq);
        const left = (this.perConnector.get(delivery.connectorId) ?? 1) - 1;
        if (left <= 0) this.perConnector.delete(delivery.connectorId);
        else this.perConnector.set(delivery.connectorId, left);
        if (this.deps.settings.concurrency - this.running.size >= this.refillAt) this.wake();
      });
  }

  private async run(
    entry: Running,
    recordOf: (id: string) => Promise<ConnectorRecord | undefined>,
  ): Promise<void> {
    const { delivery, controller } = entry;
    const { settings, store, events } = this.deps;
    // Stop the run before the lease ends, so no other worker starts it while it still runs here.
    const margin = Math.min(5_000, Math.floor(settings.leaseMs / 10));
    const timer = setTimeout(
      () => controller.abort(new Error('the delivery ran out of its lease')),
      settings.leaseMs - margin,
    );
    const startedAt = new Date();
    const handler = this.deps.handlers?.get(delivery.origin);
    let outcome: ExecutionOutcome | undefined;
    let gone: string | undefined;
    try {
      const record = handler?.run ? undefined : await recordOf(delivery.connectorId);
      outcome = handler?.run
        ? await handler.run(delivery, { signal: controller.signal })
        : await executeConnector(this.deps.actions, delivery.connectorId, delivery.params, {
            source: 'queue',
            queued: true,
            signal: controller.signal,
            delivery: { id: delivery.id, attempt: delivery.attempt },
            ...(record ? { record } : {}),
          });
    } catch (error) {
      // Only "connector deleted", "type unknown" or "type disabled" throw: retrying cannot help.
      if (error instanceof CasebridgeError) gone = error.message;
      else throw error;
    } finally {
      clearTimeout(timer);
    }
    if (entry.released) return;

    const now = new Date();
    const durationMs = now.getTime() - startedAt.getTime();
    const ref = { id: delivery.id, connectorId: delivery.connectorId, attempt: delivery.attempt };
    const record: AttemptRecord = {
      attempt: delivery.attempt,
      started_at: startedAt.toISOString(),
      duration_ms: durationMs,
      outcome: outcome?.status === 'ok' ? 'success' : 'failure',
      worker: this.workerId,
    };

    if (outcome?.status === 'ok') {
      const succeeded = outcome;
      const attemptLog = [...delivery.attemptLog, record];
      const onSucceeded = handler?.onSucceeded;
      const written = onSucceeded
        ? await store.db.transaction().execute(async (trx) => {
            const done = await completeDelivery(trx, delivery.seq, this.workerId, attemptLog, now);
            if (done) await onSucceeded(trx, delivery, succeeded);
            return done;
          })
        : await this.completions.complete({ seq: delivery.seq, attemptLog, now });
      if (!written) return events.emit('delivery:leaseLost', ref);
      events.emit('delivery:succeeded', {
        ...ref,
        durationMs,
        acceptedToDoneMs: now.getTime() - Date.parse(delivery.createdAt),
      });
      return;
    }

    const error = gone ?? describeFailure(outcome);
    const retry = gone === undefined ? outcome?.retry : false;
    const decision = decideRetry(settings.retry, retry, delivery.attempt, delivery.maxAttempts, now);
    record.error = error;
    record.retry = retry instanceof Date ? retry.toISOString() : (retry ?? true);
    if (retry instanceof Date) {
      await pauseConnector(store.db, delivery.connectorId, retry, error);
      events.emit('connector:paused', { connectorId: delivery.connectorId, until: retry });
    }
    const written = await failDelivery(store.db, {
      seq: delivery.seq,
      workerId: this.workerId,
      retryAt: decision.kind === 'retry' ? decision.at : undefined,
      error,
      attemptLog: [...delivery.attemptLog, record],
      now,
    });
    if (!written) return events.emit('delivery:leaseLost', ref);
    events.emit('delivery:failed', { ...ref, durationMs, error });
    if (decision.kind === 'retry')
      events.emit('delivery:retryScheduled', { ...ref, at: decision.at, reason: decision.reason });
    else
      events.emit('delivery:dead', { ...ref, reason: gone === undefined ? decision.reason : 'gone', error });
  }

  /** Takes back expired leases (anyone's) and prunes finished deliveries. */
  private async maintain(): Promise<void> {
    const { store, settings, events } = this.deps;
    try {
      const now = new Date();
      for (const row of await releaseStaleDeliveries(store.db, now)) {
        events.emit('delivery:reclaimed', { id: row.id, connectorId: row.connector_id, status: row.status });
      }
      await pruneDeliveries(store.db, {
        now,
        finishedRetentionMs: settings.finishedRetentionMs,
        deadRetentionMs: settings.deadRetentionMs,
        limit: 10_000,
      });
      this.wake();
    } catch (error) {
      if (!this.stopping) events.emit('worker:error', { workerId: this.workerId, error });
    }
  }
}

/** Kibana's event-log wording for a failed run: message, then the service message. */
function describeFailure(outcome: ExecutionOutcome | undefined): string {
  if (!outcome) return 'unknown error running action';
  const message = outcome.message ?? 'unknown error running action';
  return outcome.serviceMessage ? `${message}: ${outcome.serviceMessage}` : message;
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
