import type { Kysely } from 'kysely';
import type { ExecutionOutcome } from '../actions/executor.js';
import type { Database } from '../store/database.js';
import type { ClaimedDelivery, DeliveryOrigin } from './types.js';

/**
 * What a part of the service that enqueues deliveries (cases, alerts) can add to how they run.
 * Without a handler a delivery runs its connector with its params, which is what the enqueue API
 * and replays need.
 */
export interface DeliveryHandler {
  /**
   * Runs the delivery instead of the plain connector call, e.g. a case push that builds the
   * incident from the case as it is now and records the push on the case.
   */
  run?(delivery: ClaimedDelivery, options: { signal: AbortSignal }): Promise<ExecutionOutcome>;
  /**
   * Runs in the same transaction that marks the delivery succeeded, so what the target answered
   * (a new ticket's id) is stored exactly when the delivery counts as done: a crash cannot leave
   * a done delivery whose answer was never recorded.
   */
  onSucceeded?(trx: Kysely<Database>, delivery: ClaimedDelivery, outcome: ExecutionOutcome): Promise<void>;
}

export type DeliveryHandlers = ReadonlyMap<DeliveryOrigin, DeliveryHandler>;
