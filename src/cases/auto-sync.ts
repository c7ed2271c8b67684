import type { ExecutionOutcome } from '../actions/executor.js';
import { changeNeedsSync } from '../domain/cases/sync.js';
import type { CaseUser } from '../domain/cases/types.js';
import { CasebridgeError } from '../errors.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import { enqueueDelivery } from '../queue/enqueue.js';
import type { DeliveryHandler } from '../queue/handlers.js';
import { maxAttemptsFor } from '../queue/retry-schedule.js';
import type { ClaimedDelivery } from '../queue/types.js';
import { caseConfigureRepo, configurationFromRow } from '../store/repos/cases-configure-repo.js';
import { caseFromRow, casesRepo } from '../store/repos/cases-repo.js';
import type { CaseChangeListener, CasesDeps } from './cases-deps.js';
import { CasesService } from './cases-service.js';
import { CasePushFailure, PushService } from './push-service.js';

/** What a queued case push stores: only the case; the incident is built from the case when it runs. */
export interface CasePushParams extends Record<string, unknown> {
  caseId: string;
  /** Who made the change that queued the push; recorded as the pusher. */
  by: CaseUser;
}

export const casePushKey = (caseId: string) => `case:${caseId}`;

/**
 * The `onCaseChange` hook for `sync: on-change`: a change the mapping covers queues a push to the
 * case's connector in the change's own transaction, so the push exists exactly when the change
 * commits. Pushes of one case share the key `case:<id>` and so run one at a time, in order.
 *
 * Coalescing: a push that has not started yet builds the incident from the case as it is when it
 * runs, so it will carry this change too; a second one would only repeat it. On PostgreSQL the
 * waiting row is locked (`FOR UPDATE`): the worker's claim skips locked rows, and if a claim got
 * there first our lock waits for it and then no longer sees the row as waiting, so a push that may
 * have read the case before this change commits is never counted as carrying it.
 */
export function autoSyncListener(deps: CasesDeps, queue: DeliveryQueue): CaseChangeListener {
  return async (trx, { caseId, actions, by }) => {
    if (!changeNeedsSync(actions)) return;
    const row = await casesRepo.get(trx, caseId);
    if (!row) return;
    const kase = caseFromRow(row);
    const { connector } = kase;
    if (connector.id === 'none' || connector.type === '.none') return;
    const [configuration] = await caseConfigureRepo.list(trx, [kase.owner]);
    if (!configuration || configurationFromRow(configuration).sync !== 'on-change') return;

    const key = casePushKey(kase.id);
    let waiting = trx
      .selectFrom('deliveries')
      .select('id')
      .where('key', '=', key)
      .where('connector_id', '=', connector.id)
      .where('origin', '=', 'case_push')
      .where('status', 'in', ['queued', 'retrying']);
    if (deps.store.dialect === 'postgres') waiting = waiting.forUpdate();
    if (await waiting.executeTakeFirst()) return;

    const type = deps.actions.deps.registry.get(connector.type);
    const run = deps.config?.actions.run;
    const params: CasePushParams = { caseId: kase.id, by };
    const created = await enqueueDelivery(trx, {
      connectorId: connector.id,
      params,
      key,
      origin: 'case_push',
      maxAttempts: run ? maxAttemptsFor(run, connector.type, type?.maxAttempts) : (type?.maxAttempts ?? 3),
    });
    queue.events.emit('delivery:enqueued', { id: created.id, connectorId: connector.id, created: true });
  };
}

function paramsOf(delivery: ClaimedDelivery): CasePushParams | undefined {
  const { caseId, by } = delivery.params;
  if (typeof caseId !== 'string') return undefined;
  const user = (by ?? {}) as Partial<CaseUser>;
  return {
    caseId,
    by: { username: user.username ?? null, full_name: user.full_name ?? null, email: user.email ?? null },
  };
}

/**
 * Runs a queued case push with the same push as `POST …/_push` and turns its result into the
 * queue's outcome: the connector's own retry decision on a target failure; no retry when the
 * case or connector is gone or cannot receive cases, since no later attempt can succeed.
 */
export function casePushHandler(push: PushService): DeliveryHandler {
  return {
    async run(delivery, { signal }): Promise<ExecutionOutcome> {
      const { connectorId } = delivery;
      const params = paramsOf(delivery);
      if (!params) {
        return { connectorId, status: 'error', message: 'case push without a case id', retry: false };
      }
      try {
        await push.push(params.caseId, connectorId, params.by, {
          signal,
          delivery: { id: delivery.id, attempt: delivery.attempt },
        });
        return { connectorId, status: 'ok' };
      } catch (error) {
        if (error instanceof CasePushFailure) {
          return {
            connectorId,
            status: 'error',
            message: `Error pushing case ${params.caseId}`,
            serviceMessage: error.message,
            retry: error.outcome?.retry ?? true,
          };
        }
        if (error instanceof CasebridgeError) {
          // 404 (case or connector deleted), 400 (type cannot receive cases), 403 (type disabled).
          const final = error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 409;
          return { connectorId, status: 'error', message: error.message, retry: !final };
        }
        // A database or programming error while recording: the next attempt pushes again.
        const message = error instanceof Error ? error.message : String(error);
        return { connectorId, status: 'error', message, retry: true };
      }
    },
  };
}

/**
 * Turns automatic sync on when the app has a queue: case writes get the enqueue hook and the
 * queue learns how to run `case_push` deliveries. Call once per app, before workers start.
 */
export function withAutoSync(deps: CasesDeps): CasesDeps {
  const { queue } = deps;
  if (!queue) return deps;
  const synced: CasesDeps = { ...deps, onCaseChange: deps.onCaseChange ?? autoSyncListener(deps, queue) };
  queue.registerHandler('case_push', casePushHandler(new PushService(synced, new CasesService(synced))));
  return synced;
}
