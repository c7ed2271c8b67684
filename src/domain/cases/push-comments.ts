import { caseUrl, displayName } from './display-name.js';
import type { AttachmentRecord, UserActionRecord } from './types.js';

export interface PushComment {
  commentId: string;
  comment: string;
}

/** The newest `pushed` user action for a connector: its external id decides create or update. */
export function latestPushFor(
  actions: UserActionRecord[],
  connectorId: string,
): UserActionRecord | undefined {
  let latest: UserActionRecord | undefined;
  for (const action of actions) {
    if (action.type !== 'pushed') continue;
    const service = action.payload.externalService as { connector_id?: string } | undefined;
    if (service?.connector_id === connectorId && (latest === undefined || action.seq > latest.seq))
      latest = action;
  }
  return latest;
}

/**
 * The last history position a push carried. A push reads the case, calls the target, and only
 * then records itself; changes made meanwhile (an automatic push runs beside the edits) come
 * before the `pushed` action in the history but were not sent, so the push stores the newest
 * position it read (`coveredSeq`) and only what came up to there counts as pushed.
 */
export function pushCoveredSeq(push: UserActionRecord): number {
  const covered = push.payload.coveredSeq;
  return typeof covered === 'number' ? covered : push.seq;
}

/**
 * Whether a history entry changed the case after a push read it. Entries written by the push
 * itself (the closure of `close-by-pushing`, in the same write and so at the same time) do not.
 */
export function changedAfterPush(action: UserActionRecord, push: UserActionRecord): boolean {
  if (action.seq <= pushCoveredSeq(push) || action.seq === push.seq) return false;
  return !(action.seq < push.seq && action.created_at === push.created_at);
}

/**
 * Ids of comments created or edited since the last push to this connector (§3.4). Positions in
 * the history decide, not `pushed_at`, so a comment pushed to one connector is still new to another.
 */
export function commentIdsToPush(actions: UserActionRecord[], connectorId: string): Set<string> {
  const latest = latestPushFor(actions, connectorId);
  const since = latest ? pushCoveredSeq(latest) : -1;
  const ids = new Set<string>();
  for (const action of actions) {
    if (
      action.type === 'comment' &&
      action.seq > since &&
      action.comment_id !== null &&
      action.action !== 'delete'
    ) {
      ids.add(action.comment_id);
    }
  }
  return ids;
}

function alertCount(attachment: AttachmentRecord): number {
  const ids = attachment.body.alertId;
  return Array.isArray(ids) ? ids.length : 1;
}

function actionsText(attachment: AttachmentRecord): string {
  const actions = attachment.body.actions as
    { type?: string; targets?: Array<{ hostname?: string }> } | undefined;
  const targets = actions?.targets ?? [];
  const verb = actions?.type === 'isolate' ? 'Isolated' : 'Released';
  const more = targets.length > 1 ? ` and ${targets.length - 1} more` : '';
  return `${verb} host ${targets[0]?.hostname ?? ''}${more} with comment: ${String(attachment.body.comment ?? '')}`;
}

/**
 * The `comments` of a push: user-authored attachments that are new or edited since the last
 * push to this connector, in case order, each attributed to its author; then, when an alert is
 * attached that was never pushed, one summary counting every attached alert.
 */
export function buildPushComments(input: {
  caseId: string;
  owner: string;
  attachments: AttachmentRecord[];
  actions: UserActionRecord[];
  connectorId: string;
  publicBaseUrl?: string;
}): PushComment[] {
  const candidates = commentIdsToPush(input.actions, input.connectorId);
  const comments: PushComment[] = [];
  for (const attachment of input.attachments) {
    if (!candidates.has(attachment.id)) continue;
    if (attachment.type !== 'user' && attachment.type !== 'actions') continue;
    const text = attachment.type === 'user' ? String(attachment.body.comment ?? '') : actionsText(attachment);
    const by = displayName(attachment.updated_by ?? attachment.created_by);
    comments.push({ commentId: attachment.id, comment: `${text}\n\nAdded by ${by}.` });
  }
  const alerts = input.attachments.filter((attachment) => attachment.type === 'alert');
  if (alerts.some((alert) => alert.pushed_at === null)) {
    const total = alerts.reduce((sum, alert) => sum + alertCount(alert), 0);
    const url = caseUrl(input.publicBaseUrl, input.owner, input.caseId);
    const summary = `Elastic Alerts attached to the case: ${total}`;
    comments.push({
      commentId: `${input.caseId}-total-alerts`,
      comment:
        url === null
          ? summary
          : `${summary}\n\nFor more details, view the alerts in Kibana\nAlerts URL: ${url}/?tabId=alerts`,
    });
  }
  return comments;
}

export { alertCount };
