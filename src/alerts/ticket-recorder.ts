import type { Kysely } from 'kysely';
import type { ExecutionOutcome } from '../actions/executor.js';
import type { DeliveryHandler } from '../queue/handlers.js';
import type { ClaimedDelivery } from '../queue/types.js';
import type { Database } from '../store/database.js';
import { alertsRepo } from '../store/repos/alerts-repo.js';

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Writes the ticket a delivery made or touched (id, number, URL) into its alert state, so later
 * updates go to that ticket: ServiceNow's pushToService updates by sys_id only. It runs in the
 * transaction that marks the delivery succeeded, so a crash cannot leave a done create whose
 * sys_id was never recorded (the next firing would then fold forever instead of updating).
 * Results without an id (ITOM events answer `{}`, closeIncident finding nothing answers null)
 * change nothing.
 */
export async function recordTicket(
  trx: Kysely<Database>,
  delivery: ClaimedDelivery,
  outcome: ExecutionOutcome,
): Promise<void> {
  const data = outcome.data;
  if (typeof data !== 'object' || data === null) return;
  const result = data as Record<string, unknown>;
  const externalId = text(result.id);
  if (externalId === null) return;
  const link = await alertsRepo.findLink(trx, delivery.id);
  if (!link) return;
  // The link's generation guards against a late answer for a ticket the key has since replaced.
  await alertsRepo.recordTicket(trx, link.state_id, link.generation, {
    externalId,
    number: text(result.title),
    url: text(result.url),
  });
}

/** The queue handler for origin `alert`: deliveries run as plain connector calls, successes record the ticket. */
export const alertDeliveryHandler: DeliveryHandler = { onSucceeded: recordTicket };
