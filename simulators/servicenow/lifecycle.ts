// Business rules and data policies of the task tables: insert defaults, numbering, priority from
// impact x urgency (Priority Data Lookup), the incident state machine's side effects and the
// mandatory-field policies that refuse resolving/closing without close_code and close_notes or
// putting an incident On Hold without hold_reason.
import { glideNow } from './clock-ids.js';
import { SnError } from './responses.js';
import type { TableDef } from './schema-tables.js';
import type { SimDatabase } from './store.js';
import type { SnRecord } from './types.js';

export const INCIDENT_STATE = {
  New: '1',
  InProgress: '2',
  OnHold: '3',
  Resolved: '6',
  Closed: '7',
  Canceled: '8',
};
const SIR_CLOSED = '3';
const SIR_CANCELLED = '7';

/** Default Priority Data Lookup: rows are impact 1..3, columns urgency 1..3. */
const PRIORITY: string[][] = [
  ['1', '2', '3'],
  ['2', '3', '4'],
  ['3', '4', '5'],
];

export function derivePriority(impact: string, urgency: string): string | undefined {
  return PRIORITY[Number(impact) - 1]?.[Number(urgency) - 1];
}

export interface Actor {
  user_name: string;
  sys_id: string;
  isAdmin: boolean;
}

/** Values a fresh record of the table gets before the caller's values are applied. */
export function applyInsertDefaults(db: SimDatabase, def: TableDef, rec: SnRecord, actor: Actor): void {
  if (def.numberPrefix) rec.number = db.numbers.take(def.numberPrefix);
  const now = rec.sys_created_on ?? glideNow();
  switch (def.name) {
    case 'incident':
      Object.assign(rec, { state: '1', incident_state: '1', reopen_count: '0' });
      break;
    case 'sn_si_incident':
      rec.state = '10';
      break;
    case 'sc_request':
      Object.assign(rec, { state: '1', request_state: 'requested', stage: 'requested' });
      break;
    default:
      return;
  }
  Object.assign(rec, { impact: '3', urgency: '3', active: 'true', opened_at: now, opened_by: actor.sys_id });
}

/** Refuses writes to closed incidents for non-admins: a closed incident is read-only on the form and via REST. */
export function checkWritable(def: TableDef, before: SnRecord, actor: Actor): void {
  if (def.name === 'incident' && before.state === INCIDENT_STATE.Closed && !actor.isAdmin) {
    throw new SnError(403, 'Operation Failed', 'ACL Exception Update Failed due to security constraints');
  }
}

export interface PolicyOptions {
  strictChoices: boolean;
}

/**
 * Runs after the caller's values are applied: derived fields, state side effects and data
 * policies. `before` is undefined on insert. Throws a 403 data policy exception when refused.
 */
export function applyBusinessRules(
  db: SimDatabase,
  def: TableDef,
  rec: SnRecord,
  before: SnRecord | undefined,
  actor: Actor,
  options: PolicyOptions,
): void {
  if (def.name !== 'incident' && def.name !== 'sn_si_incident' && def.name !== 'sc_request') return;
  const priority = derivePriority(rec.impact ?? '', rec.urgency ?? '');
  if (priority) rec.priority = priority;
  if (def.name === 'incident') incidentRules(db, rec, before, actor, options);
  if (def.name === 'sn_si_incident') sirRules(rec, before, actor);
}

function incidentRules(
  db: SimDatabase,
  rec: SnRecord,
  before: SnRecord | undefined,
  actor: Actor,
  options: PolicyOptions,
): void {
  const state = rec.state ?? '';
  rec.incident_state = state;
  const missing: string[] = [];
  if (state === INCIDENT_STATE.OnHold && !rec.hold_reason) missing.push('On hold reason');
  if (state === INCIDENT_STATE.Resolved || state === INCIDENT_STATE.Closed) {
    if (!rec.close_code) missing.push('Resolution code');
    if (!rec.close_notes) missing.push('Resolution notes');
  }
  if (missing.length > 0) {
    throw new SnError(
      403,
      'Operation Failed',
      `Data Policy Exception: The following fields are mandatory: ${missing.join(', ')}`,
    );
  }
  if (
    options.strictChoices &&
    rec.close_code &&
    !db.choiceList('incident', 'close_code')?.has(rec.close_code)
  ) {
    throw new SnError(
      403,
      'Operation Failed',
      `Data Policy Exception: Invalid choice value for Resolution code: ${rec.close_code}`,
    );
  }
  const previous = before?.state;
  if (state === previous) return;
  const now = glideNow();
  if (state !== INCIDENT_STATE.OnHold) rec.hold_reason = '';
  if (state === INCIDENT_STATE.Resolved || state === INCIDENT_STATE.Closed) {
    if (!rec.resolved_at) rec.resolved_at = now;
    if (!rec.resolved_by) rec.resolved_by = actor.sys_id;
  }
  if (state === INCIDENT_STATE.Closed) {
    Object.assign(rec, { closed_at: now, closed_by: actor.sys_id, active: 'false' });
  } else if (state === INCIDENT_STATE.Canceled) {
    rec.active = 'false';
  } else if (previous === INCIDENT_STATE.Resolved || previous === INCIDENT_STATE.Canceled) {
    // Reopening: the resolution is void and the incident counts as reopened.
    Object.assign(rec, { resolved_at: '', resolved_by: '', active: 'true' });
    rec.reopen_count = String(Number(rec.reopen_count || '0') + 1);
  } else {
    rec.active = 'true';
  }
}

function sirRules(rec: SnRecord, before: SnRecord | undefined, actor: Actor): void {
  if (rec.state === before?.state) return;
  if (rec.state === SIR_CLOSED) {
    Object.assign(rec, { closed_at: glideNow(), closed_by: actor.sys_id, active: 'false' });
  } else if (rec.state === SIR_CANCELLED) {
    rec.active = 'false';
  } else {
    rec.active = 'true';
  }
}
