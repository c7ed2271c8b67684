import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ActionsService } from '../actions/actions-service.js';
import { validateParams } from '../actions/connector-validation.js';
import type { Config } from '../config/schema.js';
import { parseByteSize, parseDuration } from '../config/units.js';
import { CasebridgeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/db.js';
import type { Database } from '../store/database.js';
import { deliveriesRepo, type DeliveryFilter } from '../store/repos/deliveries-repo.js';
import { enqueueDelivery, type EnqueueResult, type NewDelivery } from './enqueue.js';
import { EnqueueBatch } from './enqueue-batch.js';
import { DeliveryEvents } from './events.js';
import type { DeliveryHandler } from './handlers.js';
import { observeQueue } from './observe.js';
import { maxAttemptsFor, retryScheduleFrom } from './retry-schedule.js';
import { deliveryKeyPattern, type DeliveryOrigin, type DeliveryRow } from './types.js';
import { DeliveryWorker, type WorkerSettings } from './worker.js';

export interface DeliveryQueueDeps {
  config: Readonly<Config>;
  store: Store;
  actions: ActionsService;
  logger: Logger;
  metrics: Metrics;
}

/** What a caller asks for; validated by `enqueue` before anything is written. */
export interface EnqueueInput {
  connectorId: string;
  params: Record<string, unknown>;
  key?: string;
  idempotencyKey?: string;
  origin: DeliveryOrigin;
}

/**
 * The queue as the rest of the service sees it: validated enqueue (in the caller's transaction
 * when there is one), back-pressure, the hand operations of the API and CLI, and workers.
 */
export class DeliveryQueue {
  readonly events = new DeliveryEvents();
  private readonly handlers = new Map<DeliveryOrigin, DeliveryHandler>();
  readonly workerSettings: WorkerSettings;
  private readonly workers = new Set<DeliveryWorker>();
  private readonly maxParamsBytes: number;
  /** Unfinished count as last read, and when; see `ensureRoom`. */
  private depth = { count: 0, readAt: 0, addedSince: 0 };
  /** Enqueues without a caller's transaction commit together (see enqueue-batch.ts). */
  private readonly enqueues: EnqueueBatch;
  /** Connector type reads in flight, shared by concurrent enqueues (see `storedTypeOf`). */
  private readonly typeReads = new Map<string, Promise<string | undefined>>();

  constructor(private readonly deps: DeliveryQueueDeps) {
    const q = deps.config.queue;
    this.maxParamsBytes = parseByteSize(q.maxParamsBytes);
    this.workerSettings = {
      concurrency: q.concurrency,
      perConnectorConcurrency: q.perConnectorConcurrency,
      batchSize: q.batchSize,
      pollIntervalMs: parseDuration(q.pollInterval),
      leaseMs: parseDuration(q.leaseDuration),
      maintenanceIntervalMs: parseDuration(q.maintenanceInterval),
      finishedRetentionMs: parseDuration(q.retention.finished),
      deadRetentionMs: parseDuration(q.retention.dead),
      shutdownTimeoutMs: parseDuration(q.shutdownTimeout),
      retry: retryScheduleFrom(q.retry),
    };
    observeQueue(this.events, deps.store, deps.metrics, deps.logger);
    this.enqueues = new EnqueueBatch(deps.store.db);
  }

  /**
   * Checks a delivery the way a run would (connector exists, type enabled, params valid for the
   * type) plus size and key rules, and decides its attempts. Throws a 4xx CasebridgeError; nothing
   * is written.
   */
  async prepare(input: EnqueueInput, db: Kysely<Database> = this.deps.store.db): Promise<NewDelivery> {
    const { actions } = this.deps;
    for (const [name, value] of [
      ['key', input.key],
      ['idempotency_key', input.idempotencyKey],
    ] as const) {
      if (value !== undefined && !deliveryKeyPattern.test(value)) {
        throw new CasebridgeError(
          'CB_ERR_VALIDATION',
          `[request body.${name}]: must be 1-256 characters of letters, digits and . _ : / @ + = - (got "${value.slice(0, 40)}")`,
        );
      }
    }
    const size = Buffer.byteLength(JSON.stringify(input.params));
    if (size > this.maxParamsBytes) {
      throw new CasebridgeError(
        'CB_ERR_DELIVERY_PARAMS_TOO_LARGE',
        `params are ${size} bytes, more than queue.maxParamsBytes (${this.maxParamsBytes}); send less or raise the limit`,
      );
    }
    // Read through the caller's transaction when there is one: SQLite has one connection, and a
    // read beside an open transaction would wait for it forever.
    const preconfigured = actions.preconfigured(input.connectorId);
    const typeId = preconfigured?.typeId ?? (await this.storedTypeOf(input.connectorId, db));
    if (typeId === undefined) {
      throw new CasebridgeError('CB_ERR_NOT_FOUND', `Saved object [action/${input.connectorId}] not found`);
    }
    const type = actions.requireType(typeId);
    if (!preconfigured) actions.ensureTypeEnabled(typeId);
    const checked = validateParams(type, input.params);
    if (!checked.ok) throw new CasebridgeError('CB_ERR_DELIVERY_PARAMS_INVALID', checked.message);
    return {
      connectorId: input.connectorId,
      params: input.params,
      key: input.key ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      origin: input.origin,
      maxAttempts: maxAttemptsFor(this.deps.config.actions.run, typeId, type.maxAttempts),
    };
  }

  /**
   * A stored connector's type, or undefined when there is none. Only the type is read: the whole
   * row (config, sealed secrets) and parsing its config cost ~2x this narrow read. Without a
   * caller's transaction, concurrent enqueues for one connector share the read in flight (on
   * PostgreSQL it was a round trip per enqueue); the answer is then at most one read old, the
   * same race an enqueue always had with a delete (its delivery ends `dead`, reason `gone`).
   */
  private storedTypeOf(id: string, db: Kysely<Database>): Promise<string | undefined> {
    const read = async (): Promise<string | undefined> =>
      (await db.selectFrom('connectors').select('type_id').where('id', '=', id).executeTakeFirst())?.type_id;
    if (db !== this.deps.store.db) return read();
    let pending = this.typeReads.get(id);
    if (pending === undefined) {
      pending = read().finally(() => this.typeReads.delete(id));
      this.typeReads.set(id, pending);
    }
    return pending;
  }

  /**
   * Validates, applies back-pressure and stores a delivery. With `trx`, the delivery commits or
   * rolls back with the caller's change; without, it is written on its own.
   */
  async enqueue(input: EnqueueInput, trx?: Kysely<Database>): Promise<EnqueueResult> {
    const db = trx ?? this.deps.store.db;
    const prepared = await this.prepare(input, db);
    await this.ensureRoom(1, db);
    const result = trx ? await enqueueDelivery(trx, prepared) : await this.enqueues.add(prepared);
    if (result.created) this.depth.addedSince += 1;
    this.events.emit('delivery:enqueued', {
      id: result.id,
      connectorId: input.connectorId,
      created: result.created,
    });
    return result;
  }

  /**
   * Back-pressure for callers that write deliveries themselves in their own transaction (alert
   * ingest writes states and deliveries together): pass that transaction, since on SQLite a read
   * beside it would wait for it forever. Throws 429 CB_ERR_QUEUE_FULL when `count` more would
   * pass `actions.queued.max`; otherwise counts them as added, so the cached depth stays honest.
   */
  async reserveRoom(count: number, trx: Kysely<Database>): Promise<void> {
    await this.ensureRoom(count, trx);
    this.depth.addedSince += count;
  }

  /**
   * Refuses new work past `actions.queued.max` with 429; nothing accepted is ever dropped.
   * Counting a large table on every enqueue would cost more than the enqueue, so a count up to
   * a second old is trusted while the queue is well below the limit (under 90 %); near it, every
   * enqueue counts exactly.
   */
  private async ensureRoom(adding: number, db: Kysely<Database> = this.deps.store.db): Promise<void> {
    const max = this.deps.config.actions.queued.max;
    const fresh = Date.now() - this.depth.readAt < 1_000;
    if (fresh && this.depth.count + this.depth.addedSince + adding < max * 0.9) return;
    this.depth = { count: await deliveriesRepo.countUnfinished(db), readAt: Date.now(), addedSince: 0 };
    if (this.depth.count + adding > max) {
      throw new CasebridgeError(
        'CB_ERR_QUEUE_FULL',
        `The delivery queue is full: ${this.depth.count} deliveries are waiting or running and actions.queued.max is ${max}. Nothing was queued; retry later.`,
      );
    }
  }

  get(id: string): Promise<DeliveryRow | undefined> {
    return deliveriesRepo.get(this.deps.store.db, id);
  }

  list(filter: DeliveryFilter, page: number, perPage: number) {
    return deliveriesRepo.find(this.deps.store.db, filter, page, perPage);
  }

  /**
   * `_retry`: a waiting delivery runs now; a dead or canceled one is replayed as a new delivery
   * (origin `replay`, `replay_of` pointing back) so the dead one keeps its attempts as they were.
   * Replaying twice returns the first replay. Running or succeeded: 409.
   */
  async retry(id: string): Promise<{ id: string; replayed: boolean }> {
    const { db } = this.deps.store;
    const row = await this.require(id);
    const now = new Date().toISOString();
    if (row.status === 'queued' || row.status === 'retrying') {
      if (await deliveriesRepo.runNow(db, id, now)) {
        this.events.emit('delivery:enqueued', { id, connectorId: row.connector_id, created: false });
        return { id, replayed: false };
      }
      return this.retry(id);
    }
    if (row.status !== 'dead' && row.status !== 'canceled') {
      throw new CasebridgeError(
        'CB_ERR_DELIVERY_STATE',
        `Delivery ${id} is ${row.status}; only waiting, dead or canceled deliveries can be retried.`,
      );
    }
    if (row.replayed_by) return { id: row.replayed_by, replayed: true };
    await this.ensureRoom(1);
    const replayed = await db
      .transaction()
      .execute(async (trx) => {
        const created = await enqueueDelivery(trx, {
          connectorId: row.connector_id,
          params: JSON.parse(row.params) as Record<string, unknown>,
          key: row.key,
          origin: 'replay',
          maxAttempts: row.max_attempts,
          replayOf: row.id,
        });
        if (!(await deliveriesRepo.markReplayed(trx, id, created.id, now))) throw new AlreadyReplayed();
        return created.id;
      })
      .catch(async (error: unknown) => {
        if (!(error instanceof AlreadyReplayed)) throw error;
        return (await this.require(id)).replayed_by ?? id;
      });
    this.depth.addedSince += 1;
    return { id: replayed, replayed: true };
  }

  /** `_cancel`: a waiting delivery will not run. Running or finished: 409. */
  async cancel(id: string): Promise<void> {
    const row = await this.require(id);
    if (row.status === 'canceled') return;
    if (!(await deliveriesRepo.cancel(this.deps.store.db, id, new Date().toISOString()))) {
      const now = await this.require(id);
      throw new CasebridgeError(
        'CB_ERR_DELIVERY_STATE',
        `Delivery ${id} is ${now.status}; only queued or retrying deliveries can be canceled.`,
      );
    }
  }

  /** Replays up to `limit` dead deliveries matching the filter; returns the new ids. */
  async retryDead(filter: DeliveryFilter, limit: number): Promise<string[]> {
    const ids = await deliveriesRepo.deadIds(this.deps.store.db, filter, limit);
    const replays: string[] = [];
    for (const id of ids) replays.push((await this.retry(id)).id);
    return replays;
  }

  /**
   * Sets how deliveries of one origin run and what their success records (see handlers.ts).
   * Register before starting workers; one handler per origin.
   */
  registerHandler(origin: DeliveryOrigin, handler: DeliveryHandler): void {
    if (this.handlers.has(origin))
      throw new Error(`a delivery handler for origin "${origin}" is already registered`);
    this.handlers.set(origin, handler);
  }

  /** Starts a worker in this process; `stopWorkers` (or the app's close) stops it. */
  async startWorker(overrides: Partial<WorkerSettings> = {}, workerId?: string): Promise<DeliveryWorker> {
    const worker = new DeliveryWorker({
      store: this.deps.store,
      actions: this.deps.actions,
      events: this.events,
      logger: this.deps.logger,
      settings: { ...this.workerSettings, ...overrides },
      handlers: this.handlers,
      ...(workerId === undefined ? {} : { workerId }),
    });
    this.workers.add(worker);
    await worker.start();
    return worker;
  }

  /** Graceful stop of every worker of this process (SIGTERM/SIGINT). */
  async stopWorkers(timeoutMs?: number): Promise<void> {
    const workers = [...this.workers];
    this.workers.clear();
    await Promise.all(workers.map((worker) => worker.stop(timeoutMs)));
  }

  private async require(id: string): Promise<DeliveryRow> {
    const row = await deliveriesRepo.get(this.deps.store.db, id);
    if (!row) throw new CasebridgeError('CB_ERR_NOT_FOUND', `Delivery ${id} not found`);
    return row;
  }
}

class AlreadyReplayed extends Error {}
