// Event Management's bulk endpoint, POST /api/global/em/jsonv2 {"records":[...]}. Each record
// becomes an em_event row; events roll up into one open em_alert per message_key, and a severity 0
// (Clear) event or resolution_state "Closing" closes it. The platform processes events
// asynchronously and the answer only confirms insertion, so no alert id is returned here either;
// the processing is done before answering so tests can read em_alert right away.
import { hasRole } from './auth.js';
import type { SimContext, SimRequest } from './context.js';
import type { Actor } from './lifecycle.js';
import { aclRefused, badRequestBody, type SimResponse } from './responses.js';
import type { SnRecord } from './types.js';
import { insertRecord, updateRecord } from './writes.js';

const SEVERITIES = new Set(['0', '1', '2', '3', '4', '5']);
const SYSTEM: Actor = { user_name: 'system', sys_id: '', isAdmin: true };

export function handleEvents(ctx: SimContext, req: SimRequest): SimResponse {
  if (req.method !== 'POST') throw badRequestBody('Only POST is supported');
  if (!req.user || !hasRole(req.user, ['evt_mgmt_integration'])) throw aclRefused('Insert');
  const records = req.object().records;
  if (!Array.isArray(records)) throw badRequestBody('Expected {"records":[...]}');
  let inserted = 0;
  for (const raw of records) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) continue;
    processEvent(ctx, req, raw as Record<string, unknown>);
    inserted++;
  }
  return { status: 200, json: { result: { 'Default Bulk Endpoint': `${inserted} events were inserted` } } };
}

function processEvent(ctx: SimContext, req: SimRequest, input: Record<string, unknown>): void {
  const eventDef = ctx.db.def('em_event');
  const alertDef = ctx.db.def('em_alert');
  if (!eventDef || !alertDef) return;
  const opts = { actor: req.actor(), inputDisplayValue: false, strictChoices: false };
  const event = insertRecord(ctx.db, eventDef, input, opts);
  const { source = '', node = '', type = '', resource = '', metric_name = '', severity = '' } = event;
  if (!event.message_key) event.message_key = [source, node, type, resource, metric_name].join('_');
  if (!event.time_of_event) event.time_of_event = event.sys_created_on ?? '';
  if (!source || !SEVERITIES.has(severity)) {
    Object.assign(event, { state: 'Error', processing_notes: 'Event must have a source and a severity 0-5' });
    return;
  }
  const open = openAlert(ctx, event.message_key);
  const closing = severity === '0' || event.resolution_state === 'Closing';
  const sys = { actor: SYSTEM, inputDisplayValue: false, strictChoices: false };
  if (closing) {
    if (!open) {
      Object.assign(event, { state: 'Ignored', processing_notes: 'No open alert for this message key' });
      return;
    }
    updateRecord(
      ctx.db,
      alertDef,
      open,
      { state: 'Closed', severity: '0', last_event_time: event.time_of_event },
      sys,
    );
    Object.assign(event, { state: 'Processed', alert: open.sys_id ?? '' });
    return;
  }
  const fields = {
    source,
    node,
    type,
    resource,
    metric_name,
    severity,
    description: event.description ?? '',
  };
  const alert = open
    ? updateRecord(
        ctx.db,
        alertDef,
        open,
        {
          ...fields,
          last_event_time: event.time_of_event,
          event_count: String(Number(open.event_count || '0') + 1),
        },
        sys,
      )
    : insertRecord(
        ctx.db,
        alertDef,
        {
          ...fields,
          message_key: event.message_key,
          state: 'Open',
          event_count: '1',
          initial_event_time: event.time_of_event,
          last_event_time: event.time_of_event,
        },
        sys,
      );
  Object.assign(event, { state: 'Processed', alert: alert.sys_id ?? '' });
}

function openAlert(ctx: SimContext, messageKey: string): SnRecord | undefined {
  for (const alert of ctx.db.all('em_alert')) {
    if (alert.message_key === messageKey && alert.state !== 'Closed') return alert;
  }
  return undefined;
}
