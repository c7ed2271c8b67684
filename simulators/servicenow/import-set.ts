// The Import Set API for the Elastic apps' staging tables. The staging tables only have `u_`
// columns; the transform runs synchronously and writes incident / sn_si_incident, updating instead
// of inserting when `elastic_incident_id` names an existing record. A transform failure does not
// change the HTTP status: it comes back as a result row with status "error" inside a 201, which is
// the case Kibana (and casebridge) must detect.
import { hasRole } from './auth.js';
import type { ElasticScope, SimContext, SimRequest } from './context.js';
import { aclRefused, invalidTable, SnError, type SimResponse } from './responses.js';
import type { TableDef } from './schema-tables.js';
import { insertRecord, updateRecord, type WriteOptions } from './writes.js';

interface StagingTable {
  scope: ElasticScope;
  target: string;
  transformMap: string;
}

export const STAGING_TABLES: Record<string, StagingTable> = {
  x_elas2_inc_int_elastic_incident: {
    scope: 'x_elas2_inc_int',
    target: 'incident',
    transformMap: 'Elastic Incident',
  },
  x_elas2_sir_int_elastic_si_incident: {
    scope: 'x_elas2_sir_int',
    target: 'sn_si_incident',
    transformMap: 'Elastic SIR Incident',
  },
};

type ResultRow = Record<string, string>;

export function handleImport(
  ctx: SimContext,
  req: SimRequest,
  staging: string,
  rest: string | undefined,
): SimResponse {
  const table = STAGING_TABLES[staging];
  // Without the app its staging table does not exist.
  if (!table || ctx.state.apps[table.scope] !== 'installed') throw invalidTable(staging);
  const target = ctx.db.def(table.target);
  if (!target) throw invalidTable(table.target);
  if (req.method !== 'POST') {
    throw new SnError(405, 'Method not Supported', `${req.method} method not supported for API`);
  }
  if (!req.user || !hasRole(req.user, ['import_set_loader'])) throw aclRefused('Insert');
  if (rest === 'insertMultiple') return insertMultiple(ctx, req, table, target);
  if (rest !== undefined) throw new SnError(400, 'Requested URI does not represent any resource', null);
  const importSet = ctx.db.numbers.take('ISET');
  const row = transform(ctx, req, table, target, req.object());
  return { status: 201, json: { import_set: importSet, staging_table: staging, result: [row] } };
}

/** insertMultiple: the platform transforms asynchronously; here it is done before answering. */
function insertMultiple(
  ctx: SimContext,
  req: SimRequest,
  table: StagingTable,
  target: TableDef,
): SimResponse {
  const records = req.object().records;
  if (!Array.isArray(records))
    throw new SnError(400, 'Exception while reading request', 'records must be an array');
  for (const r of records) {
    if (r !== null && typeof r === 'object' && !Array.isArray(r)) {
      transform(ctx, req, table, target, r as Record<string, unknown>);
    }
  }
  return {
    status: 201,
    json: { import_set_id: ctx.db.numbers.take('ISET'), multi_import_set_id: ctx.db.numbers.take('MISET') },
  };
}

function transform(
  ctx: SimContext,
  req: SimRequest,
  table: StagingTable,
  target: TableDef,
  body: Record<string, unknown>,
): ResultRow {
  const base = { transform_map: table.transformMap, table: target.name };
  if (ctx.state.importErrors > 0) {
    ctx.state.importErrors--;
    return errorRow(base, 'An error has occurred while importing the incident');
  }
  // Staging columns are u_<field>; anything else has no column in the staging table and is dropped.
  const values: Record<string, unknown> = {};
  for (const key in body) if (key.startsWith('u_')) values[key.slice(2)] = body[key];
  const opts: WriteOptions = {
    actor: req.actor(),
    inputDisplayValue: false,
    strictChoices: ctx.strictChoices,
  };
  const id = body.elastic_incident_id;
  try {
    if (id !== undefined && id !== null && id !== '') {
      const before = ctx.db.get(target.name, String(id));
      if (!before) return errorRow(base, `No ${target.label} found with sys_id ${String(id)}`);
      return okRow(ctx, base, target, updateRecord(ctx.db, target, before, values, opts), 'updated');
    }
    return okRow(ctx, base, target, insertRecord(ctx.db, target, values, opts), 'inserted');
  } catch (err) {
    if (err instanceof SnError) return errorRow(base, err.detail ?? err.message);
    throw err;
  }
}

function okRow(
  ctx: SimContext,
  base: ResultRow,
  target: TableDef,
  rec: Record<string, string>,
  status: 'inserted' | 'updated',
): ResultRow {
  return {
    ...base,
    display_name: target.displayField,
    display_value: rec[target.displayField] ?? '',
    record_link: `${ctx.baseUrl}/api/now/table/${target.name}/${rec.sys_id}`,
    status,
    sys_id: rec.sys_id ?? '',
  };
}

function errorRow(base: ResultRow, message: string): ResultRow {
  return { ...base, status: 'error', error_message: message, status_message: 'failure' };
}
