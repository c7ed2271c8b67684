// The tables the simulator knows, their columns, display fields, numbering and default ACLs.
// Roles come from the seeds: ITIL, sn_si.basic/analyst, evt_mgmt_integration, personalize_choices,
// import_set_loader/import_transformer and the Elastic app integration roles.
import { fields, systemFields, TASK_FIELDS, type FieldDef } from './schema-fields.js';
import type { TableAcl } from './types.js';

export interface TableDef {
  name: string;
  label: string;
  /** Column whose value is the record's display value (reference display, import-set display_value). */
  displayField: string;
  numberPrefix?: string;
  fields: FieldDef[];
  /** Same fields by element, for O(1) lookups on the write path. */
  byElement: Map<string, FieldDef>;
  acl: TableAcl;
}

const ANY = ['*'];
const ADMIN_ONLY: string[] = [];

function table(
  name: string,
  label: string,
  displayField: string,
  own: FieldDef[],
  acl: TableAcl,
  options: { inherits?: FieldDef[]; numberPrefix?: string } = {},
): TableDef {
  const all = [...systemFields(name), ...(options.inherits ?? []), ...own];
  return {
    name,
    label,
    displayField,
    ...(options.numberPrefix === undefined ? {} : { numberPrefix: options.numberPrefix }),
    fields: all,
    byElement: new Map(all.map((f) => [f.element, f])),
    acl,
  };
}

function acl(
  read: string[],
  create: string[],
  write: string[] = create,
  del: string[] = ADMIN_ONLY,
): TableAcl {
  return { read, create, write, delete: del };
}

const ITIL = ['itil'];
const SIR = ['sn_si.basic'];

/** Builds fresh definitions; ACL overrides from the options are applied per simulator instance. */
export function buildTables(overrides: Record<string, Partial<TableAcl>> = {}): Map<string, TableDef> {
  const defs: TableDef[] = [
    table(
      'incident',
      'Incident',
      'number',
      fields('incident', [
        ['caller_id', 'Caller', 'reference', 32, 'sys_user'],
        ['category', 'Category', 'string', 40],
        ['subcategory', 'Subcategory', 'string', 40],
        ['incident_state', 'Incident state', 'integer'],
        ['hold_reason', 'On hold reason', 'integer'],
        ['close_code', 'Resolution code', 'string', 40],
        ['resolved_at', 'Resolved', 'glide_date_time'],
        ['resolved_by', 'Resolved by', 'reference', 32, 'sys_user'],
        ['severity', 'Severity', 'integer'],
        ['reopen_count', 'Reopen count', 'integer'],
        ['problem_id', 'Problem', 'string', 32],
      ]),
      acl(ITIL, ITIL),
      { inherits: TASK_FIELDS, numberPrefix: 'INC' },
    ),
    table(
      'sn_si_incident',
      'Security Incident',
      'number',
      fields('sn_si_incident', [
        ['caller', 'Requested by', 'reference', 32, 'sys_user'],
        ['affected_user', 'Affected user', 'reference', 32, 'sys_user'],
        ['category', 'Category', 'string', 40],
        ['subcategory', 'Subcategory', 'string', 40],
        ['severity', 'Severity', 'integer'],
        ['business_criticality', 'Business criticality', 'integer'],
        ['risk_score', 'Risk score', 'integer'],
        ['attack_vector', 'Attack vector', 'string', 40],
        ['substate', 'Substate', 'integer'],
        ['close_code', 'Close code', 'string', 40],
        ['dest_ip', 'Destination IP', 'string', 4000],
        ['source_ip', 'Source IP', 'string', 4000],
        ['malware_hash', 'Malware hash', 'string', 4000],
        ['malware_url', 'Malware URL', 'string', 4000],
      ]),
      acl(SIR, SIR, SIR, ['sn_si.analyst']),
      { inherits: TASK_FIELDS, numberPrefix: 'SIR' },
    ),
    table(
      'sc_request',
      'Request',
      'number',
      fields('sc_request', [
        ['requested_for', 'Requested for', 'reference', 32, 'sys_user'],
        ['request_state', 'Request state', 'string', 40],
        ['stage', 'Stage', 'string', 40],
      ]),
      acl(ITIL, ITIL),
      { inherits: TASK_FIELDS, numberPrefix: 'REQ' },
    ),
    table(
      'em_event',
      'Event',
      'sys_id',
      fields('em_event', [
        ['source', 'Source', 'string', 100],
        ['event_class', 'Source instance', 'string', 100],
        ['node', 'Node', 'string', 100],
        ['resource', 'Resource', 'string', 100],
        ['metric_name', 'Metric name', 'string', 100],
        ['type', 'Type', 'string', 100],
        ['severity', 'Severity', 'integer'],
        ['message_key', 'Message key', 'string', 1024],
        ['description', 'Description', 'string', 4000],
        ['additional_info', 'Additional information', 'string', 65000],
        ['time_of_event', 'Time of event', 'glide_date_time'],
        ['resolution_state', 'Resolution state', 'string', 40],
        ['state', 'State', 'string', 40],
        ['processing_notes', 'Processing notes', 'string', 4000],
        ['alert', 'Alert', 'reference', 32, 'em_alert'],
      ]),
      acl(['evt_mgmt_integration', 'itil'], ['evt_mgmt_integration']),
    ),
    table(
      'em_alert',
      'Alert',
      'number',
      fields('em_alert', [
        ['number', 'Number', 'string', 40],
        ['source', 'Source', 'string', 100],
        ['node', 'Node', 'string', 100],
        ['resource', 'Resource', 'string', 100],
        ['metric_name', 'Metric name', 'string', 100],
        ['type', 'Type', 'string', 100],
        ['severity', 'Severity', 'integer'],
        ['message_key', 'Message key', 'string', 1024],
        ['description', 'Description', 'string', 4000],
        ['state', 'State', 'string', 40],
        ['event_count', 'Event count', 'integer'],
        ['initial_event_time', 'Initial event time', 'glide_date_time'],
        ['last_event_time', 'Last event time', 'glide_date_time'],
      ]),
      acl(['evt_mgmt_integration', 'itil'], ADMIN_ONLY),
      { numberPrefix: 'Alert' },
    ),
    table(
      'sys_user',
      'User',
      'name',
      fields('sys_user', [
        ['user_name', 'User ID', 'string', 40],
        ['name', 'Name', 'string', 151],
        ['first_name', 'First name', 'string', 50],
        ['last_name', 'Last name', 'string', 50],
        ['email', 'Email', 'string', 100],
        ['title', 'Title', 'string', 60],
        ['active', 'Active', 'boolean'],
        ['roles', 'Roles', 'string', 4000],
      ]),
      acl(ANY, ADMIN_ONLY),
    ),
    table(
      'sys_user_group',
      'Group',
      'name',
      fields('sys_user_group', [
        ['name', 'Name', 'string', 80],
        ['description', 'Description', 'string', 1000],
        ['email', 'Group email', 'string', 100],
        ['manager', 'Manager', 'reference', 32, 'sys_user'],
        ['active', 'Active', 'boolean'],
        ['type', 'Type', 'string', 255],
      ]),
      acl(ANY, ADMIN_ONLY),
    ),
    table('cmdb_ci', 'Configuration Item', 'name', ciFields('cmdb_ci'), acl(ANY, ADMIN_ONLY)),
    table('cmdb_ci_service', 'Business Service', 'name', ciFields('cmdb_ci_service'), acl(ANY, ADMIN_ONLY)),
    table(
      'sys_choice',
      'Choices',
      'label',
      fields('sys_choice', [
        ['name', 'Table', 'string', 80],
        ['element', 'Element', 'string', 80],
        ['value', 'Value', 'string', 40],
        ['label', 'Label', 'string', 100],
        ['dependent_value', 'Dependent value', 'string', 100],
        ['language', 'Language', 'string', 40],
        ['inactive', 'Inactive', 'boolean'],
        ['sequence', 'Sequence', 'integer'],
      ]),
      acl(['personalize_choices', 'itil', 'sn_si.basic'], ADMIN_ONLY),
    ),
    table(
      'sys_dictionary',
      'Dictionary Entry',
      'column_label',
      fields('sys_dictionary', [
        ['name', 'Table', 'string', 80],
        ['element', 'Column name', 'string', 80],
        ['column_label', 'Column label', 'string', 80],
        ['internal_type', 'Type', 'string', 40],
        ['max_length', 'Max length', 'integer'],
        ['mandatory', 'Mandatory', 'boolean'],
        ['read_only', 'Read only', 'boolean'],
        ['active', 'Active', 'boolean'],
        ['array', 'Array', 'boolean'],
        ['reference', 'Reference', 'string', 80],
      ]),
      acl(ANY, ADMIN_ONLY),
    ),
    table(
      'label',
      'Label',
      'name',
      fields('label', [
        ['name', 'Name', 'string', 100],
        ['owner', 'Owner', 'reference', 32, 'sys_user'],
        ['viewable_by', 'Viewable by', 'string', 40],
        ['type', 'Type', 'string', 40],
        ['active', 'Active', 'boolean'],
        ['color', 'Color', 'string', 40],
        ['background_color', 'Background color', 'string', 40],
      ]),
      acl(ANY, ANY, ANY),
    ),
    table(
      'label_entry',
      'Label Entry',
      'title',
      fields('label_entry', [
        ['label', 'Label', 'reference', 32, 'label'],
        ['table', 'Table', 'string', 80],
        ['table_key', 'Table key', 'string', 32],
        ['title', 'Title', 'string', 160],
        ['url', 'URL', 'string', 1024],
        ['read', 'Read', 'string', 40],
      ]),
      // Writing label_entry.table/table_key is ACL-restricted on real instances (ThreatLocker's note).
      acl(ANY, ADMIN_ONLY),
    ),
    table(
      'sys_journal_field',
      'Journal Entry',
      'value',
      fields('sys_journal_field', [
        ['name', 'Table', 'string', 80],
        ['element', 'Element', 'string', 80],
        ['element_id', 'Element ID', 'string', 32],
        ['value', 'Value', 'string', 4000],
      ]),
      acl(['itil', 'sn_si.basic'], ADMIN_ONLY),
    ),
  ];
  for (const def of defs) {
    const override = overrides[def.name];
    if (override) def.acl = { ...def.acl, ...override };
  }
  return new Map(defs.map((d) => [d.name, d]));
}

function ciFields(table: string): FieldDef[] {
  return fields(table, [
    ['name', 'Name', 'string', 255],
    ['short_description', 'Description', 'string', 1000],
    ['ip_address', 'IP Address', 'string', 255],
    ['fqdn', 'Fully qualified domain name', 'string', 255],
    ['operational_status', 'Operational status', 'integer'],
    ['support_group', 'Support group', 'reference', 32, 'sys_user_group'],
  ]);
}

/** Roles that contain other roles by default (a role grants everything its contained roles grant). */
export const DEFAULT_ROLE_CONTAINS: Record<string, string[]> = {
  'x_elas2_inc_int.integration_user': ['itil', 'import_set_loader', 'import_transformer'],
  'x_elas2_sir_int.integration_user': ['sn_si.basic', 'import_set_loader', 'import_transformer'],
  'sn_si.analyst': ['sn_si.basic'],
  itil_admin: ['itil'],
};
