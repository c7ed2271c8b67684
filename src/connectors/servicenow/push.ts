import { operation, ServiceNowError } from './errors.js';
import {
  toPushedDate,
  type ExternalIncident,
  type Fields,
  type IncidentService,
  type SnRecord,
} from './incidents.js';
import type { PushComment } from './schema.js';

export interface PushResult extends ExternalIncident {
  comments?: { commentId: string; pushedDate: string }[];
}

export interface PushInput {
  externalId: string | null;
  /** The incident fields to send (no externalId, no additional_fields). */
  fields: Fields;
  additional: Fields | null;
  comments: PushComment[] | null;
  /** `caller_id`/`opened_by` on create: the basic-auth user name, null for OAuth (Kibana sends both). */
  caller: string | null;
  commentField: 'work_notes' | 'comments';
  /** Another table than the service's (ticket type Service Request). */
  table?: string;
  /** Fields only sent when creating (initial state, assignee defaults…). */
  createOnly?: Fields;
}

/**
 * Kibana's pushToService (§5.4): create or update by externalId only (there is no correlation
 * lookup on push), then one full update per comment with the comment in work_notes.
 */
export async function pushIncident(service: IncidentService, input: PushInput): Promise<PushResult> {
  const { fields, additional, table } = input;
  const result =
    input.externalId !== null
      ? await service.write(fields, additional, input.externalId, table)
      : await service.write(
          { ...fields, ...input.createOnly, caller_id: input.caller, opened_by: input.caller },
          additional,
          null,
          table,
        );
  if (!input.comments || input.comments.length === 0) return result;
  const comments: { commentId: string; pushedDate: string }[] = [];
  for (const comment of input.comments) {
    await service.write({ ...fields, [input.commentField]: comment.comment }, additional, result.id, table);
    // Kibana reports the create/update time for every comment, not the comment's own write.
    comments.push({ commentId: comment.commentId, pushedDate: result.pushedDate });
  }
  return { ...result, comments };
}

export interface CloseValues {
  state: string;
  close_code: string;
  close_notes: string;
}

export const KIBANA_CLOSE: CloseValues = {
  state: '7',
  close_code: 'Closed/Resolved by Caller',
  close_notes: 'Closed by Caller',
};

/**
 * Kibana's closeIncident (§5.9): find by id or newest by correlation id; nothing found or a 404
 * is a warning and `{}`; an already closed record is returned without a write.
 */
export async function closeIncident(
  service: IncidentService,
  target: { externalId: string | null; correlationId: string | null },
  values: CloseValues,
): Promise<ExternalIncident | null> {
  const { externalId, correlationId } = target;
  const warn = (text: string) => service.client.logger.warn(`[ServiceNow][CloseIncident] ${text}`);
  const call = service.setup.useImportApi
    ? ({ method: 'post', endpoint: 'import_set' } as const)
    : ({ method: 'patch', endpoint: 'table' } as const);
  try {
    return await operation('Unable to close incident', call, service.client.authMode, async () => {
      if (externalId === null && correlationId === null)
        throw new ServiceNowError('No correlationId or incidentId found.');
      const record: SnRecord | null =
        externalId !== null
          ? await service.getIncident(externalId)
          : await service.getByCorrelationId(correlationId ?? '');
      if (record === null || Object.keys(record).length === 0) {
        warn(`No incident found with correlation_id: ${correlationId} or incidentId: ${externalId}.`);
        return null;
      }
      const sysId = String(record.sys_id ?? '');
      if (record.state === values.state || record.state === KIBANA_CLOSE.state) {
        warn(`Incident with correlation_id: ${correlationId} or incidentId: ${externalId} is closed.`);
        return {
          title: String(record.number ?? ''),
          id: sysId,
          pushedDate: toPushedDate(record.sys_updated_on),
          url: service.viewUrl(sysId),
        };
      }
      return service.write({ ...values }, null, sysId);
    });
  } catch (error) {
    if (error instanceof ServiceNowError && error.status === 404) {
      warn(`No incident found with incidentId: ${externalId}.`);
      return null;
    }
    throw error;
  }
}
