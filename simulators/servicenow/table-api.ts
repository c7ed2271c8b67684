// The Table API (/api/now[/v1|/v2]/table/{table}[/{sys_id}]) and the aggregate count
// (/api/now/stats/{table}). Status codes follow the platform: 200 reads, 201 + Location on create,
// 200 on PUT/PATCH, 204 with no body on DELETE, 404 for a missing or hidden record.
import { hasRole } from './auth.js';
import type { SimContext, SimRequest } from './context.js';
import { compileQuery, sortRecords } from './query.js';
import { parseDisplayMode, renderRecord, type RenderOptions } from './render.js';
import { aclRefused, invalidTable, recordNotFound, SnError, type SimResponse } from './responses.js';
import type { TableDef } from './schema-tables.js';
import type { SnRecord } from './types.js';
import { insertRecord, updateRecord, type WriteOptions } from './writes.js';

const DEFAULT_LIMIT = 10_000;

export function handleTable(
  ctx: SimContext,
  req: SimRequest,
  table: string,
  sysId: string | undefined,
): SimResponse {
  const def = ctx.db.def(table);
  if (!def) throw invalidTable(table);
  const user = req.user;
  if (!user) throw new SnError(401, 'User Not Authenticated', 'Required to provide Auth information');
  switch (req.method) {
    case 'GET':
      if (sysId === undefined) {
        if (!hasRole(user, def.acl.read)) throw aclRefused('Read');
        return list(ctx, req, def);
      }
      return { status: 200, json: { result: render(ctx, req, def, readable(ctx, req, def, sysId)) } };
    case 'POST': {
      if (sysId !== undefined) throw methodNotSupported(req);
      if (!hasRole(user, def.acl.create)) throw aclRefused('Insert');
      const rec = insertRecord(ctx.db, def, req.object(), writeOptions(ctx, req));
      return {
        status: 201,
        headers: { Location: `${ctx.baseUrl}/api/now/table/${def.name}/${rec.sys_id}` },
        json: { result: render(ctx, req, def, rec) },
      };
    }
    case 'PUT':
    case 'PATCH': {
      if (sysId === undefined) throw methodNotSupported(req);
      const before = readable(ctx, req, def, sysId);
      if (!hasRole(user, def.acl.write)) throw aclRefused('Update');
      const rec = updateRecord(ctx.db, def, before, req.object(), writeOptions(ctx, req));
      return { status: 200, json: { result: render(ctx, req, def, rec) } };
    }
    case 'DELETE': {
      if (sysId === undefined) throw methodNotSupported(req);
      readable(ctx, req, def, sysId);
      if (!hasRole(user, def.acl.delete)) throw aclRefused('Delete');
      ctx.db.delete(def.name, sysId);
      return { status: 204, text: '' };
    }
    default:
      throw methodNotSupported(req);
  }
}

/** GET /api/now/stats/{table}?sysparm_count=true&sysparm_query=... */
export function handleStats(ctx: SimContext, req: SimRequest, table: string): SimResponse {
  const def = ctx.db.def(table);
  if (!def) throw invalidTable(table);
  if (!req.user || !hasRole(req.user, def.acl.read)) throw aclRefused('Read');
  const rows = matching(ctx, req, def);
  return { status: 200, json: { result: { stats: { count: String(rows.length) } } } };
}

function methodNotSupported(req: SimRequest): SnError {
  return new SnError(405, 'Method not Supported', `${req.method} method not supported for API`);
}

function readable(ctx: SimContext, req: SimRequest, def: TableDef, sysId: string): SnRecord {
  const rec = ctx.db.get(def.name, sysId);
  // A record hidden by ACL looks exactly like a missing one.
  if (!rec || !req.user || !hasRole(req.user, def.acl.read)) throw recordNotFound();
  return rec;
}

function writeOptions(ctx: SimContext, req: SimRequest): WriteOptions {
  return {
    actor: req.actor(),
    inputDisplayValue: req.query.get('sysparm_input_display_value') === 'true',
    strictChoices: ctx.strictChoices,
  };
}

function renderOptions(ctx: SimContext, req: SimRequest): RenderOptions {
  const fields = req.query.get('sysparm_fields');
  return {
    display: parseDisplayMode(req.query.get('sysparm_display_value')),
    excludeReferenceLink: req.query.get('sysparm_exclude_reference_link') === 'true',
    fields: fields ? fields.split(',').map((f) => f.trim()) : undefined,
    baseUrl: ctx.baseUrl,
    journalLatest: ctx.journalValue === 'latest',
  };
}

function render(ctx: SimContext, req: SimRequest, def: TableDef, rec: SnRecord): Record<string, unknown> {
  return renderRecord(ctx.db, def, rec, renderOptions(ctx, req));
}

function matching(ctx: SimContext, req: SimRequest, def: TableDef): SnRecord[] {
  // Any query parameter that is not a sysparm_ one filters by equality, as the platform allows.
  const extra: [string, string][] = [];
  for (const [k, v] of req.query) if (!k.startsWith('sysparm_')) extra.push([k, v]);
  const query = compileQuery(req.query.get('sysparm_query') ?? '', def, ctx.db, ctx, extra);
  const rows: SnRecord[] = [];
  for (const rec of ctx.db.all(def.name)) if (query.matches(rec)) rows.push(rec);
  sortRecords(rows, query.order, ctx.db);
  return rows;
}

function list(ctx: SimContext, req: SimRequest, def: TableDef): SimResponse {
  const rows = matching(ctx, req, def);
  const limit = nonNegative(req.query.get('sysparm_limit'), DEFAULT_LIMIT) || DEFAULT_LIMIT;
  const offset = nonNegative(req.query.get('sysparm_offset'), 0);
  const opts = renderOptions(ctx, req);
  const result = rows.slice(offset, offset + limit).map((rec) => renderRecord(ctx.db, def, rec, opts));
  const headers: Record<string, string> = {};
  if (req.query.get('sysparm_no_count') !== 'true') headers['X-Total-Count'] = String(rows.length);
  if (req.query.get('sysparm_suppress_pagination_header') !== 'true') {
    headers.Link = linkHeader(ctx, req, rows.length, offset, limit);
  }
  return { status: 200, headers, json: { result } };
}

function nonNegative(raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** first/prev/next/last links; prev is left out on the first page and next on the last. */
function linkHeader(ctx: SimContext, req: SimRequest, total: number, offset: number, limit: number): string {
  const url = (at: number): string => {
    const params = new URLSearchParams(req.query);
    params.set('sysparm_limit', String(limit));
    params.set('sysparm_offset', String(at));
    return `<${ctx.baseUrl}${req.path}?${params.toString()}>`;
  };
  const last = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const links = [`${url(0)};rel="first"`];
  if (offset > 0) links.push(`${url(Math.max(offset - limit, 0))};rel="prev"`);
  if (offset + limit < total) links.push(`${url(offset + limit)};rel="next"`);
  links.push(`${url(last)};rel="last"`);
  return links.join(',');
}
