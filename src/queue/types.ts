import type { DeliveriesTable } from '../store/database.js';

/**
 * Lifecycle: `queued` → `running` → `succeeded`, or → `retrying` → `running` … → `dead` after the
 * last attempt; `canceled` by hand before it ran. `retrying` is `queued` with a failure behind it.
 */
export const deliveryStatuses = ['queued', 'running', 'retrying', 'succeeded', 'dead', 'canceled'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** Statuses that still owe a run; they count against `actions.queued.max` and block later keyed work. */
export const unfinishedStatuses: readonly DeliveryStatus[] = ['queued', 'running', 'retrying'];

/** Why a delivery exists: a case push, an alert route, the enqueue API, or a replay of a dead one. */
export const deliveryOrigins = ['case_push', 'alert', 'api', 'replay'] as const;
export type DeliveryOrigin = (typeof deliveryOrigins)[number];

/** One attempt as kept in `attempt_log`: what happened and what the queue decided. */
export interface AttemptRecord {
  attempt: number;
  started_at: string;
  duration_ms: number;
  outcome: 'success' | 'failure' | 'lease_expired' | 'released';
  error?: string;
  /** The result's retry decision: `false`, `true`, or the ISO time asked for. */
  retry?: boolean | string;
  worker?: string;
}

/** A delivery row as the database returns it (`seq` resolved). */
export type DeliveryRow = Omit<DeliveriesTable, 'seq'> & { seq: number };

/** What the worker needs of a claimed delivery. */
export interface ClaimedDelivery {
  seq: number;
  id: string;
  connectorId: string;
  params: Record<string, unknown>;
  origin: DeliveryOrigin;
  key: string | null;
  attempt: number;
  maxAttempts: number;
  runAt: string;
  createdAt: string;
  attemptLog: AttemptRecord[];
}

export function toClaimed(row: DeliveryRow): ClaimedDelivery {
  return {
    seq: Number(row.seq),
    id: row.id,
    connectorId: row.connector_id,
    params: JSON.parse(row.params) as Record<string, unknown>,
    origin: row.origin as DeliveryOrigin,
    key: row.key,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    createdAt: row.created_at,
    attemptLog: JSON.parse(row.attempt_log) as AttemptRecord[],
  };
}

/**
 * Ordering and idempotency keys: 1–256 characters that are safe in URLs, logs and query
 * strings (case ids, correlation ids, `case:<id>`, `alert/<rule>/<id>`).
 */
export const deliveryKeyPattern = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,255}$/;
