import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { ActionsService } from '../actions/actions-service.js';
import type { Config } from '../config/schema.js';
import type { AlertFacts } from '../domain/cases/format-incident.js';
import type { AttachmentRecord, CaseUser, NewUserAction } from '../domain/cases/types.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import type { Database } from '../store/database.js';
import type { Store } from '../store/db.js';

/**
 * Called inside every case write's transaction, after the write (automatic sync hooks in here).
 * It gets the case's id and owner as they were before the write; a listener that needs the
 * written case reads it through `trx`, so writes it ignores cost no extra read.
 */
export type CaseChangeListener = (
  trx: Transaction<Database>,
  change: { caseId: string; actions: NewUserAction[]; by: CaseUser },
) => Promise<void>;

/** What the cases services need, handed over once by `buildApp`. */
export interface CasesDeps {
  store: Store;
  actions: ActionsService;
  logger: Logger;
  /** Base of the links written into pushed descriptions; none means no link, as in Kibana. */
  publicBaseUrl?: string;
  /** Looks up the documents of attached alerts (ServiceNow SIR copies IPs, hashes, URLs from them). */
  fetchAlerts?: (attachments: AttachmentRecord[]) => Promise<AlertFacts[]>;
  onCaseChange?: CaseChangeListener;
  /** With a queue, `sync: on-change` queues pushes and the queue runs them (auto-sync.ts). */
  queue?: DeliveryQueue;
  /** Attempts of queued pushes follow `actions.run`, as every other delivery's do. */
  config?: Readonly<Config>;
}

/** Kibana's user object for whoever made the request. */
export function caseUser(name: string | undefined): CaseUser {
  return { username: name ?? null, full_name: null, email: null };
}
