import { ServiceNowError } from './errors.js';
import type { Fields, IncidentService, SnRecord } from './incidents.js';
import { KIBANA_CLOSE, type CloseValues } from './push.js';
import type { CustomMappingType, ItsmIncidentType, TicketSettingsType } from './schema.js';

/**
 * ThreatLocker's ticket settings and custom mapping (seed 002) for the ITSM connector. Settings
 * fill what a push leaves empty; the push's own values always win.
 */
export interface SettingsOutcome {
  /** Sent on create and update. */
  fields: Fields;
  /** Sent on create only (the initial state). */
  createOnly: Fields;
}

export function applySettings(
  incident: ItsmIncidentType,
  settings: TicketSettingsType | undefined,
  lifecycle: 'escalated' | 'closed' | undefined,
): SettingsOutcome {
  const s = settings ?? {};
  const fields: Fields = {};
  const fill = (field: string, own: unknown, fallback: string | undefined) => {
    if ((own === null || own === undefined) && fallback !== undefined) fields[field] = fallback;
  };
  fill('impact', incident.impact, s.impact);
  fill('urgency', incident.urgency, s.urgency);
  fill('category', incident.category, s.category);
  fill('assignment_group', incident.assignment_group, s.assignmentGroup);
  fill('business_service', incident.business_service, s.businessService);
  fill('assigned_to', incident.assigned_to, s.assignee);
  const createOnly: Fields = {};
  if (incident.state === undefined && s.state !== undefined) createOnly.state = s.state;
  if (incident.state === undefined && lifecycle === 'escalated' && s.escalationState !== undefined)
    fields.state = s.escalationState;
  if (incident.state === undefined && lifecycle === 'closed') Object.assign(fields, closeValues(s));
  return { fields, createOnly };
}

/** The state, close code and notes closeIncident writes: the settings, else Kibana's values. */
export function closeValues(settings: TicketSettingsType | undefined): CloseValues {
  return {
    state: settings?.autoCloseState ?? KIBANA_CLOSE.state,
    close_code: settings?.closeCode ?? KIBANA_CLOSE.close_code,
    close_notes: settings?.closeNotes ?? KIBANA_CLOSE.close_notes,
  };
}

const FIELDS_TTL_MS = 5 * 60_000;
const stringFieldCache = new Map<string, { at: number; fields: Set<string> }>();

/** The String columns of a table (sys_dictionary, as getFields lists them), cached for five minutes. */
async function stringFields(service: IncidentService, table: string): Promise<Set<string>> {
  const key = `${service.client.base}|${table}`;
  const cached = stringFieldCache.get(key);
  if (cached && Date.now() - cached.at < FIELDS_TTL_MS) return cached.fields;
  const rows = await service.getFields(table);
  const fields = new Set(rows.map((row) => String(row.element ?? '')));
  stringFieldCache.set(key, { at: Date.now(), fields });
  return fields;
}

/** Checks every mapping target against sys_dictionary; throws naming the first non-String one. */
export async function checkMapping(
  service: IncidentService,
  mapping: CustomMappingType,
  table: string,
): Promise<void> {
  if (mapping.length === 0) return;
  const allowed = await stringFields(service, table);
  for (const { target } of mapping) {
    if (!allowed.has(target)) {
      throw new ServiceNowError(
        `Custom mapping target "${target}" is not a String field of ${table}: only String fields (sys_dictionary internal_type string) can be mapped.`,
        { status: 400 },
      );
    }
  }
}

/** Reads a dotted path (`case.title`, `alert.tags.0`) from the push's source object. */
function readPath(source: unknown, path: string): unknown {
  let value = source;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The mapped values; String fields take text, so other values are written as JSON. */
export async function mappedFields(
  service: IncidentService,
  mapping: CustomMappingType | undefined,
  source: Record<string, unknown> | undefined,
  table: string,
): Promise<Fields> {
  if (!mapping || mapping.length === 0) return {};
  await checkMapping(service, mapping, table);
  const out: Fields = {};
  for (const { source: path, target } of mapping) {
    const value = readPath(source ?? {}, path);
    if (value === undefined || value === null) continue;
    out[target] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/**
 * Tags are label_entry rows pointing at the ticket. Writing label_entry is admin-only on a stock
 * instance (ThreatLocker's note), so a refused tag is reported, not fatal: the ticket exists.
 */
export async function applyTags(
  service: IncidentService,
  tags: string[] | undefined,
  table: string,
  record: { id: string; title: string },
): Promise<{ applied: string[]; failed: { label: string; message: string }[] } | undefined> {
  if (!tags || tags.length === 0) return undefined;
  const applied: string[] = [];
  const failed: { label: string; message: string }[] = [];
  for (const label of tags) {
    try {
      await service.client.call({
        method: 'post',
        endpoint: 'table',
        path: '/api/now/table/label_entry',
        json: { label, table, table_key: record.id, title: record.title },
      });
      applied.push(label);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const reason = error instanceof ServiceNowError && error.reason ? ` (${error.reason})` : '';
      failed.push({ label, message: `${message}${reason}` });
      service.client.logger.warn({ label, table }, `could not tag ${record.title}: ${message}${reason}`);
    }
  }
  return { applied, failed };
}

/** Pickers by name: reference fields listed as choice rows whose value is the sys_id. */
export const REFERENCE_PICKERS: Record<string, { table: string; name: string }> = {
  assignment_group: { table: 'sys_user_group', name: 'name' },
  assigned_to: { table: 'sys_user', name: 'name' },
  caller_id: { table: 'sys_user', name: 'name' },
  business_service: { table: 'cmdb_ci_service', name: 'name' },
  cmdb_ci: { table: 'cmdb_ci', name: 'name' },
  tags: { table: 'label', name: 'name' },
};

export async function getChoicesWithReferences(
  service: IncidentService,
  fields: string[],
  table: string,
): Promise<SnRecord[]> {
  const references = fields.filter((field) => REFERENCE_PICKERS[field] !== undefined);
  const choiceFields = fields.filter((field) => REFERENCE_PICKERS[field] === undefined);
  const rows: SnRecord[] =
    choiceFields.length > 0 || references.length === 0 ? await service.getChoices(choiceFields, table) : [];
  for (const field of references) {
    const picker = REFERENCE_PICKERS[field];
    if (!picker) continue;
    for (const row of await service.listReferences(picker.table, picker.name)) {
      rows.push({
        label: String(row[picker.name] ?? ''),
        value: String(row.sys_id ?? ''),
        dependent_value: '',
        element: field,
      });
    }
  }
  return rows;
}
