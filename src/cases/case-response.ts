import { durationOf } from '../domain/cases/case-update.js';
import type { AttachmentRecord, AttachmentResponse, CaseResponse } from '../domain/cases/types.js';
import { commentFromRow, type CommentRow } from '../store/repos/cases-comments-repo.js';
import { caseFromRow, type CaseRow } from '../store/repos/cases-repo.js';

/** Kibana's attachment object: request fields flattened beside id, version and bookkeeping. */
export function attachmentResponse(attachment: AttachmentRecord): AttachmentResponse {
  return {
    ...attachment.body,
    type: attachment.type,
    owner: attachment.owner,
    id: attachment.id,
    version: attachment.version,
    created_at: attachment.created_at,
    created_by: attachment.created_by,
    pushed_at: attachment.pushed_at,
    pushed_by: attachment.pushed_by,
    updated_at: attachment.updated_at,
    updated_by: attachment.updated_by,
  };
}

/** The case object of every case response; `comments` only when the caller asks for them. */
export function caseResponse(row: CaseRow, comments?: CommentRow[]): CaseResponse {
  const kase = caseFromRow(row);
  return {
    ...kase,
    duration: durationOf(kase.created_at, kase.closed_at),
    totalComment: row.total_comment,
    totalAlerts: row.total_alerts,
    observables: [],
    ...(comments === undefined
      ? {}
      : { comments: comments.map((c) => attachmentResponse(commentFromRow(c))) }),
  };
}
