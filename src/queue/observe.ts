import { Counter, Gauge, Histogram } from 'prom-client';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/db.js';
import type { DeliveryEvents } from './events.js';
import { deliveryStatuses } from './types.js';

/**
 * Turns the lifecycle events into log lines and Prometheus metrics. The connector's own outcome
 * is already logged and recorded by the executor; these lines add the queue's decisions. Depth
 * and oldest-due age are read from the database at scrape time, so they are right across
 * instances and need no bookkeeping here.
 */
export function observeQueue(events: DeliveryEvents, store: Store, metrics: Metrics, logger: Logger): void {
  const registers = [metrics.registry];
  const outcomes = new Counter({
    name: 'casebridge_delivery_attempts_total',
    help: 'Delivery attempts by connector and outcome (succeeded, failed, dead, retry_scheduled, reclaimed).',
    labelNames: ['connector', 'outcome'],
    registers,
  });
  const dead = new Counter({
    name: 'casebridge_deliveries_dead_total',
    help: 'Deliveries that went dead (dead letters), by connector and reason.',
    labelNames: ['connector', 'reason'],
    registers,
  });
  const duration = new Histogram({
    name: 'casebridge_delivery_attempt_duration_seconds',
    help: 'Duration of one delivery attempt, by connector.',
    labelNames: ['connector'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const latency = new Histogram({
    name: 'casebridge_delivery_latency_seconds',
    help: 'From accepted (enqueued) to delivered, by connector.',
    labelNames: ['connector'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30, 120, 600, 3600],
    registers,
  });
  const attemptsUsed = new Histogram({
    name: 'casebridge_delivery_attempts_used',
    help: 'Attempts a delivery took to succeed or die.',
    buckets: [1, 2, 3, 4, 5, 7, 10],
    registers,
  });
  new Gauge({
    name: 'casebridge_delivery_queue_depth',
    help: 'Deliveries by status (finished ones until they are pruned).',
    labelNames: ['status'],
    registers,
    async collect() {
      const rows = await store.db
        .selectFrom('deliveries')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      for (const status of deliveryStatuses) {
        this.set({ status }, Number(rows.find((row) => row.status === status)?.n ?? 0));
      }
    },
  });
  new Gauge({
    name: 'casebridge_delivery_oldest_due_age_seconds',
    help: 'How long the oldest due, unclaimed delivery has been waiting (0 when none).',
    registers,
    async collect() {
      const now = new Date().toISOString();
      const row = await sql<{ oldest: string | null }>`
        select min(run_at) as oldest from deliveries
        where status in ('queued', 'retrying') and run_at <= ${now}`.execute(store.db);
      const oldest = row.rows[0]?.oldest;
      this.set(oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0);
    },
  });

  events
    .on('delivery:claimed', (e) =>
      logger.debug({ deliveryId: e.id, connectorId: e.connectorId, attempt: e.attempt }, 'delivery claimed'),
    )
    .on('delivery:succeeded', (e) => {
      outcomes.inc({ connector: e.connectorId, outcome: 'succeeded' });
      duration.observe({ connector: e.connectorId }, e.durationMs / 1000);
      latency.observe({ connector: e.connectorId }, e.acceptedToDoneMs / 1000);
      attemptsUsed.observe(e.attempt);
    })
    .on('delivery:failed', (e) => {
      outcomes.inc({ connector: e.connectorId, outcome: 'failed' });
      duration.observe({ connector: e.connectorId }, e.durationMs / 1000);
    })
    .on('delivery:retryScheduled', (e) => {
      outcomes.inc({ connector: e.connectorId, outcome: 'retry_scheduled' });
      logger.info(
        {
          deliveryId: e.id,
          connectorId: e.connectorId,
          attempt: e.attempt,
          at: e.at.toISOString(),
          reason: e.reason,
        },
        'delivery retry scheduled',
      );
    })
    .on('delivery:dead', (e) => {
      outcomes.inc({ connector: e.connectorId, outcome: 'dead' });
      dead.inc({ connector: e.connectorId, reason: e.reason });
      attemptsUsed.observe(e.attempt);
      logger.warn(
        {
          deliveryId: e.id,
          connectorId: e.connectorId,
          attempt: e.attempt,
          reason: e.reason,
          error: e.error,
        },
        'delivery dead: no further attempts; replay it with POST /api/casebridge/deliveries/{id}/_retry',
      );
    })
    .on('delivery:leaseLost', (e) =>
      logger.warn(
        { deliveryId: e.id, connectorId: e.connectorId, attempt: e.attempt },
        'delivery finished after its lease expired; another worker owns it now (it may run twice)',
      ),
    )
    .on('delivery:reclaimed', (e) => {
      outcomes.inc({ connector: e.connectorId, outcome: 'reclaimed' });
      if (e.status === 'dead') dead.inc({ connector: e.connectorId, reason: 'lease_expired' });
      logger.warn(
        { deliveryId: e.id, connectorId: e.connectorId, status: e.status },
        'delivery lease expired; taken back',
      );
    })
    .on('delivery:released', (e) => logger.debug({ count: e.count, reason: e.reason }, 'deliveries released'))
    .on('connector:paused', (e) =>
      logger.warn(
        { connectorId: e.connectorId, until: e.until.toISOString() },
        'connector paused: its target asked us to wait',
      ),
    )
    .on('worker:started', (e) => logger.info({ workerId: e.workerId }, 'delivery worker started'))
    .on('worker:stopped', (e) =>
      logger.info({ workerId: e.workerId, released: e.released }, 'delivery worker stopped'),
    )
    .on('worker:error', (e) => logger.error({ workerId: e.workerId, err: e.error }, 'delivery worker error'));
}
