import { executeConnector, type ExecutionOutcome } from '../actions/executor.js';
import { caseErrors } from '../domain/cases/case-errors.js';
import { closeParamsFor } from '../domain/cases/close-incident.js';
import { buildIncident } from '../domain/cases/format-incident.js';
import { buildPushComments, latestPushFor } from '../domain/cases/push-comments.js';
import type { CaseResponse, CaseUser, ExternalService } from '../domain/cases/types.js';
import { CasebridgeError } from '../errors.js';
import { caseCommentsRepo, commentFromRow } from '../store/repos/cases-comments-repo.js';
import { caseFromRow, casesRepo } from '../store/repos/cases-repo.js';
import { caseUserActionsRepo, userActionFromRow } from '../store/repos/cases-user-actions-repo.js';
import { writeCase } from './case-write.js';
import type { CasesDeps } from './cases-deps.js';
import type { CasesService } from './cases-service.js';
import { ConfigureService } from './configure-service.js';

interface PushedRecord {
  id: string;
  title: string;
  url: string;
  pushedDate?: string;
}

/**
 * The target refused or failed the push (424). It keeps the connector's outcome so a queued push
 * can hand the connector's retry decision to the delivery queue.
 */
export class CasePushFailure extends CasebridgeError {
  constructor(
    message: string,
    readonly outcome?: ExecutionOutcome,
  ) {
    super('CB_ERR_CASE_PUSH_FAILED', message);
  }
}

const pushFailed = (message: string, outcome?: ExecutionOutcome) => new CasePushFailure(message, outcome);

/** How a push is run: from the API (now) or by the delivery queue (its signal and delivery). */
export interface PushRunOptions {
  signal?: AbortSignal;
  delivery?: { id: string; attempt: number };
}

function pushedRecord(data: unknown): PushedRecord {
  const record = data as Partial<PushedRecord> | undefined;
  if (typeof record?.id !== 'string' || record.id === '') {
    throw pushFailed('Error pushing to service: the connector returned no external id');
  }
  return { id: record.id, title: String(record.title ?? record.id), url: String(record.url ?? '') };
}

/**
 * The push of a case to one connector (cases-kibana.md §3.1), written once for every case
 * connector type: only the incident formatting differs per type, and that lives in the domain.
 */
export class PushService {
  readonly #configure: ConfigureService;

  constructor(
    private readonly deps: CasesDeps,
    private readonly cases: CasesService,
  ) {
    this.#configure = new ConfigureService(deps);
  }

  async push(
    caseId: string,
    connectorId: string,
    by: CaseUser,
    run: PushRunOptions = {},
  ): Promise<CaseResponse> {
    // 1. The case, the connector and the history; a missing case or connector is a 404.
    const [[row, history, attachmentRows], record] = await Promise.all([
      this.#snapshot(caseId),
      this.deps.actions.findRecord(connectorId),
    ]);
    if (!row) throw caseErrors.caseNotFound(caseId);
    if (!record)
      throw new CasebridgeError('CB_ERR_NOT_FOUND', `Saved object [action/${connectorId}] not found`);
    const type = this.deps.actions.deps.registry.get(record.typeId);
    if (!type?.supportedFeatureIds.includes('cases')) {
      throw new CasebridgeError(
        'CB_ERR_CASE_CONNECTOR_UNSUPPORTED',
        `The connector ${connectorId} is of type ${record.typeId}, which cannot receive cases.`,
      );
    }
    const kase = caseFromRow(row);
    const actions = history.map(userActionFromRow);
    const attachments = attachmentRows.map(commentFromRow);

    // 2. The incident and the comments not yet pushed to this connector.
    const alerts = this.deps.fetchAlerts
      ? await this.deps.fetchAlerts(attachments.filter((attachment) => attachment.type === 'alert'))
      : [];
    const latest = latestPushFor(actions, connectorId);
    const externalId = (latest?.payload.externalService as ExternalService | undefined)?.external_id ?? null;
    const publicBaseUrl = this.deps.publicBaseUrl;
    const incident = buildIncident({
      kase,
      connectorType: record.typeId,
      externalId,
      alerts,
      ...(publicBaseUrl !== undefined ? { publicBaseUrl } : {}),
    });
    const comments = buildPushComments({
      caseId,
      owner: kase.owner,
      attachments,
      actions,
      connectorId,
      ...(publicBaseUrl !== undefined ? { publicBaseUrl } : {}),
    });

    // 3. Run the connector now; a failure leaves the case exactly as it was (424, Kibana's status).
    const options = {
      source: 'case_push' as const,
      ...(by.username !== null ? { user: by.username } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.delivery ? { queued: true, delivery: run.delivery } : {}),
    };
    const result = await executeConnector(
      this.deps.actions,
      connectorId,
      { subAction: 'pushToService', subActionParams: { incident, comments } },
      options,
    );
    if (result.status === 'error') {
      throw pushFailed(result.serviceMessage ?? result.message ?? 'Error pushing to service', result);
    }
    const pushed = pushedRecord(result.data);

    // A closed case carries its state to the ticket where the connector can close it.
    const closeParams =
      kase.status === 'closed' ? closeParamsFor(record.typeId, pushed.id, caseId) : undefined;
    if (closeParams) {
      const closed = await executeConnector(this.deps.actions, connectorId, closeParams, options);
      if (closed.status === 'error') {
        throw pushFailed(closed.serviceMessage ?? closed.message ?? 'Error pushing to service', closed);
      }
    }

    // 4. Record the push on the re-read case: external_service, closure, attachments, user actions.
    const configuration = await this.#configure.forOwner(kase.owner);
    await writeCase(this.deps, caseId, by, async (write) => {
      const externalService: ExternalService = {
        connector_id: connectorId,
        connector_name: record.name,
        external_id: pushed.id,
        external_title: pushed.title,
        external_url: pushed.url,
        pushed_at: write.at,
        pushed_by: by,
      };
      write.changes.external_service = JSON.stringify(externalService);
      if (configuration?.closure_type === 'close-by-pushing' && write.kase.status !== 'closed') {
        write.changes.status = 'closed';
        write.changes.closed_at = write.at;
        write.changes.closed_by = JSON.stringify(by);
        write.actions.push({
          type: 'status',
          action: 'update',
          comment_id: null,
          payload: { status: 'closed' },
        });
      }
      // Only what this push read counts as pushed: attachments added while it ran are still new.
      const sent = attachments.filter((attachment) => attachment.pushed_at === null).map((a) => a.id);
      if (sent.length > 0) {
        await write.trx
          .updateTable('case_comments')
          .set((eb) => ({
            pushed_at: write.at,
            pushed_by: JSON.stringify(by),
            version: eb('version', '+', 1),
          }))
          .where('case_id', '=', caseId)
          .where('id', 'in', sent)
          .where('pushed_at', 'is', null)
          .execute();
      }
      write.actions.push({
        type: 'pushed',
        action: 'push_to_service',
        comment_id: null,
        payload: { externalService, coveredSeq: actions.at(-1)?.seq ?? -1 },
      });
    });
    return this.cases.get(caseId, true);
  }

  /**
   * The case, its history and its attachments as of one moment (one transaction; repeatable read
   * on PostgreSQL), so the history position a push records matches the attachments it sent.
   */
  async #snapshot(caseId: string) {
    const { store } = this.deps;
    let transaction = store.db.transaction();
    if (store.dialect === 'postgres') transaction = transaction.setIsolationLevel('repeatable read');
    return transaction.execute(async (trx) => {
      const row = await casesRepo.get(trx, caseId);
      const history = row ? await caseUserActionsRepo.listForCase(trx, caseId) : [];
      const attachments = row ? await caseCommentsRepo.listForCase(trx, caseId) : [];
      return [row, history, attachments] as const;
    });
  }
}
