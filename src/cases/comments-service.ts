import { randomUUID } from 'node:crypto';
import { caseErrors } from '../domain/cases/case-errors.js';
import { limits } from '../domain/cases/limits.js';
import type { AttachmentResponse, AttachmentType, CaseResponse, CaseUser } from '../domain/cases/types.js';
import { checkArrayLength, checkText } from '../domain/cases/validate-case.js';
import { decodeVersion } from '../domain/cases/version.js';
import { CasebridgeError } from '../errors.js';
import { caseCommentsRepo, commentFromRow } from '../store/repos/cases-comments-repo.js';
import { attachmentResponse } from './case-response.js';
import { writeCase, type CaseWrite } from './case-write.js';
import type { CasesDeps } from './cases-deps.js';
import type { CasesService } from './cases-service.js';

/** An attachment request as the route validated it: `type`, `owner` and the type's own fields. */
export type AttachmentRequest = Record<string, unknown> & { type: AttachmentType; owner: string };

const alertIds = (request: AttachmentRequest): number =>
  Array.isArray(request.alertId) ? request.alertId.length : 1;

/** Checks a request's text limits and returns what is stored (text trimmed, owner and type aside). */
function storedBody(request: AttachmentRequest): Record<string, unknown> {
  const { type: _type, owner: _owner, ...body } = request;
  if (request.type === 'user' || request.type === 'actions') {
    body.comment = checkText('comment', String(request.comment ?? ''), limits.commentLength);
  }
  return body;
}

function checkOwner(request: AttachmentRequest, caseOwner: string): void {
  if (request.owner !== caseOwner) {
    throw caseErrors.invalid(
      `The owner field of the comment must match the case owner. Comment owner: ${request.owner}, case owner: ${caseOwner}`,
    );
  }
}

/** Attachments (§1.8): every add or edit records a `comment` user action, which drives pushes. */
export class CommentsService {
  constructor(
    private readonly deps: CasesDeps,
    private readonly cases: CasesService,
  ) {}

  async add(caseId: string, requests: AttachmentRequest[], by: CaseUser): Promise<CaseResponse> {
    checkArrayLength('attachments', requests, limits.bulkCreateAttachments, 1);
    const bodies = requests.map(storedBody);
    await writeCase(this.deps, caseId, by, async (write) => {
      for (const request of requests) checkOwner(request, write.kase.owner);
      await this.checkAlertLimit(write, requests);
      const rows = requests.map((request, index) => ({
        id: randomUUID(),
        case_id: caseId,
        owner: request.owner,
        type: request.type,
        body: JSON.stringify(bodies[index]),
        created_at: write.at,
        created_by: JSON.stringify(by),
      }));
      await caseCommentsRepo.insert(write.trx, rows);
      rows.forEach((row, index) =>
        write.actions.push({
          type: 'comment',
          action: 'create',
          comment_id: row.id,
          payload: { comment: requests[index] },
        }),
      );
      write.attachmentsChanged = true;
    });
    return this.cases.get(caseId, true);
  }

  private async checkAlertLimit(write: CaseWrite, requests: AttachmentRequest[]): Promise<void> {
    const adding = requests
      .filter((request) => request.type === 'alert')
      .reduce((n, r) => n + alertIds(r), 0);
    if (adding === 0) return;
    const { total_alerts: current } = await caseCommentsRepo.counters(write.trx, write.kase.id);
    if (current + adding > limits.alertsPerCase) {
      throw new CasebridgeError(
        'CB_ERR_CASE_LIMIT_REACHED',
        `The case with id ${write.kase.id} has reached the limit of ${limits.alertsPerCase} alerts.`,
      );
    }
  }

  /** Edits one attachment; its `version` must be current and its type may not change kind of attachment. */
  async update(
    caseId: string,
    request: AttachmentRequest & { id: string; version: string },
    by: CaseUser,
  ): Promise<CaseResponse> {
    const { id, version, ...rest } = request;
    const body = storedBody(rest as AttachmentRequest);
    await writeCase(this.deps, caseId, by, async (write) => {
      const row = await caseCommentsRepo.get(write.trx, caseId, id);
      if (!row) throw caseErrors.commentNotFound(id, caseId);
      checkOwner(request, row.owner);
      if (row.type !== request.type) {
        throw caseErrors.invalid('You cannot change the type of the comment.');
      }
      const expected = decodeVersion(version);
      const updated =
        expected === row.version &&
        (await caseCommentsRepo.update(write.trx, id, row.version, {
          type: request.type,
          body: JSON.stringify(body),
          updated_at: write.at,
          updated_by: JSON.stringify(by),
        }));
      if (!updated) throw caseErrors.caseStale();
      write.actions.push({ type: 'comment', action: 'update', comment_id: id, payload: { comment: rest } });
      write.attachmentsChanged = true;
    });
    return this.cases.get(caseId, true);
  }

  /** Deletes one attachment, or all of them when `commentId` is undefined; one user action each. */
  async delete(caseId: string, commentId: string | undefined, by: CaseUser): Promise<void> {
    await writeCase(this.deps, caseId, by, async (write) => {
      const rows =
        commentId === undefined
          ? await caseCommentsRepo.listForCase(write.trx, caseId)
          : [await caseCommentsRepo.get(write.trx, caseId, commentId)];
      if (commentId !== undefined && rows[0] === undefined)
        throw caseErrors.commentNotFound(commentId, caseId);
      for (const row of rows) {
        if (!row) continue;
        const { type, owner, body } = commentFromRow(row);
        write.actions.push({
          type: 'comment',
          action: 'delete',
          comment_id: row.id,
          payload: { attachment: { ...body, type, owner } },
        });
      }
      await caseCommentsRepo.delete(write.trx, caseId, commentId === undefined ? undefined : [commentId]);
      write.attachmentsChanged = true;
    });
  }

  async get(caseId: string, commentId: string): Promise<AttachmentResponse> {
    const row = await caseCommentsRepo.get(this.deps.store.db, caseId, commentId);
    if (!row) throw caseErrors.commentNotFound(commentId, caseId);
    return attachmentResponse(commentFromRow(row));
  }

  async find(caseId: string, options: { page: number; perPage: number; sortOrder: 'asc' | 'desc' }) {
    await this.cases.get(caseId, false);
    if (options.perPage > limits.perPage) {
      throw caseErrors.invalid(
        `The provided perPage value is too high. The maximum allowed perPage value is ${limits.perPage}.`,
      );
    }
    const { total, rows } = await caseCommentsRepo.page(this.deps.store.db, caseId, {
      page: options.page,
      perPage: options.perPage,
      order: options.sortOrder,
    });
    return {
      comments: rows.map((row) => attachmentResponse(commentFromRow(row))),
      page: options.page,
      per_page: options.perPage,
      total,
    };
  }
}
