// Column definitions. ServiceNow tables inherit columns (incident and sn_si_incident extend task),
// and sys_dictionary lists an inherited column under the table that defines it, which is why each
// field remembers its defining table: Kibana asks for `name=task^ORname=incident`.

export type FieldType =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'reference'
  | 'glide_date_time'
  | 'journal_input'
  | 'GUID'
  | 'glide_list'
  | 'decimal';

export interface FieldDef {
  element: string;
  label: string;
  type: FieldType;
  maxLength: number;
  /** Referenced table for reference fields. */
  reference?: string;
  /** Table whose dictionary entry defines the column (task for inherited ones). */
  definedOn: string;
  mandatory?: boolean;
  readOnly?: boolean;
  /** Value written on insert when the caller sends none. */
  defaultValue?: string;
}

type FieldSpec = [element: string, label: string, type: FieldType, maxLength?: number, reference?: string];

const DEFAULT_LENGTH: Record<FieldType, number> = {
  string: 255,
  integer: 40,
  boolean: 40,
  reference: 32,
  glide_date_time: 40,
  journal_input: 4000,
  GUID: 32,
  glide_list: 4000,
  decimal: 15,
};

export function fields(definedOn: string, specs: FieldSpec[]): FieldDef[] {
  return specs.map(([element, label, type, maxLength, reference]) => ({
    element,
    label,
    type,
    maxLength: maxLength ?? DEFAULT_LENGTH[type],
    definedOn,
    ...(reference === undefined ? {} : { reference }),
    ...(element.startsWith('sys_') ? { readOnly: true } : {}),
  }));
}

/** Columns every table has (on a real instance they come from sys_metadata / the table itself). */
export function systemFields(table: string): FieldDef[] {
  return fields(table, [
    ['sys_id', 'Sys ID', 'GUID'],
    ['sys_created_on', 'Created', 'glide_date_time'],
    ['sys_created_by', 'Created by', 'string', 40],
    ['sys_updated_on', 'Updated', 'glide_date_time'],
    ['sys_updated_by', 'Updated by', 'string', 40],
    ['sys_mod_count', 'Updates', 'integer'],
    ['sys_class_name', 'Class', 'string', 80],
    ['sys_domain', 'Domain', 'string', 32],
    ['sys_tags', 'Tags', 'string', 255],
  ]);
}

/** Columns incident, sn_si_incident and sc_request inherit from task. */
export const TASK_FIELDS: FieldDef[] = fields('task', [
  ['number', 'Number', 'string', 40],
  ['short_description', 'Short description', 'string', 160],
  ['description', 'Description', 'string', 4000],
  ['state', 'State', 'integer'],
  ['impact', 'Impact', 'integer'],
  ['urgency', 'Urgency', 'integer'],
  ['priority', 'Priority', 'integer'],
  ['active', 'Active', 'boolean'],
  ['assignment_group', 'Assignment group', 'reference', 32, 'sys_user_group'],
  ['assigned_to', 'Assigned to', 'reference', 32, 'sys_user'],
  ['cmdb_ci', 'Configuration item', 'reference', 32, 'cmdb_ci'],
  ['business_service', 'Service', 'reference', 32, 'cmdb_ci_service'],
  ['contact_type', 'Channel', 'string', 40],
  ['watch_list', 'Watch list', 'glide_list', 4000],
  ['correlation_id', 'Correlation ID', 'string', 100],
  ['correlation_display', 'Correlation display', 'string', 100],
  ['work_notes', 'Work notes', 'journal_input', 4000],
  ['comments', 'Additional comments', 'journal_input', 4000],
  ['close_notes', 'Close notes', 'string', 4000],
  ['opened_at', 'Opened', 'glide_date_time'],
  ['opened_by', 'Opened by', 'reference', 32, 'sys_user'],
  ['closed_at', 'Closed', 'glide_date_time'],
  ['closed_by', 'Closed by', 'reference', 32, 'sys_user'],
  ['location', 'Location', 'string', 255],
  ['company', 'Company', 'string', 255],
]);

/** Journal columns: writes append to sys_journal_field instead of replacing the value. */
export const JOURNAL_FIELDS = new Set(['work_notes', 'comments']);
