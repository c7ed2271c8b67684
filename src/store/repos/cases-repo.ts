import { sql, type SelectQueryBuilder } from 'kysely';
import type { CaseRecord, CaseUser } from '../../domain/cases/types.js';
import { encodeVersion } from '../../domain/cases/version.js';
import type { CasesTable, Database } from '../database.js';
import { containsText, json, jsonArrayHas, type Executor } from './cases-json.js';

export type CaseRow = CasesTable;

export interface CaseFilter {
  owner?: string[];
  status?: string[];
  severity?: string[];
  tags?: string[];
  assignees?: string[];
  reporters?: string[];
  category?: string[];
  search?: string;
  searchFields?: Array<'title' | 'description'>;
  from?: string;
  to?: string;
}

export type CaseSortField =
  'title' | 'category' | 'created_at' | 'updated_at' | 'closed_at' | 'status' | 'severity';

export function caseFromRow(row: CaseRow): CaseRecord {
  return {
    id: row.id,
    version: encodeVersion(row.version),
    owner: row.owner,
    title: row.title,
    description: row.description,
    tags: json.read(row.tags),
    status: row.status as CaseRecord['status'],
    severity: row.severity as CaseRecord['severity'],
    settings: json.read(row.settings),
    connector: json.read(row.connector),
    assignees: json.read(row.assignees),
    category: row.category,
    customFields: json.read(row.custom_fields),
    external_service: json.readNullable(row.external_service),
    created_at: row.created_at,
    created_by: json.read<CaseUser>(row.created_by),
    updated_at: row.updated_at,
    updated_by: json.readNullable(row.updated_by),
    closed_at: row.closed_at,
    closed_by: json.readNullable(row.closed_by),
  };
}

/** The stored columns of a case record (everything but the counters and the integer version). */
export function caseColumns(kase: Omit<CaseRecord, 'id' | 'version'>) {
  return {
    owner: kase.owner,
    title: kase.title,
    description: kase.description,
    tags: json.write(kase.tags),
    status: kase.status,
    severity: kase.severity,
    settings: json.write(kase.settings),
    connector: json.write(kase.connector),
    assignees: json.write(kase.assignees),
    category: kase.category,
    custom_fields: json.write(kase.customFields),
    external_service: kase.external_service === null ? null : json.write(kase.external_service),
    created_at: kase.created_at,
    created_by: json.write(kase.created_by),
    updated_at: kase.updated_at,
    updated_by: kase.updated_by === null ? null : json.write(kase.updated_by),
    closed_at: kase.closed_at,
    closed_by: kase.closed_by === null ? null : json.write(kase.closed_by),
  };
}

const severityRank = sql<number>`case severity when 'low' then 0 when 'medium' then 1 when 'high' then 2 else 3 end`;

function applyFilter(
  db: Executor,
  query: SelectQueryBuilder<Database, 'cases', object>,
  filter: CaseFilter,
): SelectQueryBuilder<Database, 'cases', object> {
  let q = query;
  if (filter.owner?.length) q = q.where('owner', 'in', filter.owner);
  if (filter.status?.length) q = q.where('status', 'in', filter.status);
  if (filter.severity?.length) q = q.where('severity', 'in', filter.severity);
  if (filter.category?.length) q = q.where('category', 'in', filter.category);
  if (filter.from !== undefined) q = q.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('created_at', '<=', filter.to);
  const anyOf = (values: string[] | undefined, column: string, needle: (value: string) => string | null) => {
    if (!values?.length) return;
    q = q.where((eb) =>
      eb.or(
        values.map((value) => {
          const text = needle(value);
          return text === null ? jsonArrayHas(db, column, value) : containsText(db, column, text);
        }),
      ),
    );
  };
  anyOf(filter.tags, 'tags', () => null);
  anyOf(filter.assignees, 'assignees', (uid) => `"uid":${JSON.stringify(uid)}`);
  anyOf(filter.reporters, 'created_by', (name) => `"username":${JSON.stringify(name)}`);
  const search = filter.search?.trim();
  if (search) {
    const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const fields = filter.searchFields?.length ? filter.searchFields : (['title', 'description'] as const);
    q = q.where((eb) =>
      eb.or([
        eb('id', '=', search),
        ...fields.map((field) => sql<boolean>`lower(${sql.ref(field)}) like ${pattern} escape '\\'`),
      ]),
    );
  }
  return q;
}

/** Cases rows. Every write checks and bumps `version`, which is what optimistic concurrency rests on. */
export const casesRepo = {
  async insert(db: Executor, id: string, kase: Omit<CaseRecord, 'id' | 'version'>): Promise<void> {
    await db
      .insertInto('cases')
      .values({ id, version: 1, ...caseColumns(kase), total_comment: 0, total_alerts: 0 })
      .execute();
  },

  async get(db: Executor, id: string): Promise<CaseRow | undefined> {
    return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async getMany(db: Executor, ids: string[]): Promise<CaseRow[]> {
    if (ids.length === 0) return [];
    return db.selectFrom('cases').selectAll().where('id', 'in', ids).execute();
  },

  /**
   * Writes changed columns if the stored version is still `expected`; false when someone else
   * wrote first. On PostgreSQL the row stays locked until the transaction ends, which serialises
   * every writer of one case.
   */
  async update(
    db: Executor,
    id: string,
    expected: number,
    changes: Partial<Omit<CaseRow, 'id' | 'version'>>,
  ): Promise<boolean> {
    const result = await db
      .updateTable('cases')
      .set({ ...changes, version: expected + 1 })
      .where('id', '=', id)
      .where('version', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  async delete(db: Executor, ids: string[]): Promise<void> {
    if (ids.length > 0) await db.deleteFrom('cases').where('id', 'in', ids).execute();
  },

  async find(
    db: Executor,
    filter: CaseFilter,
    sort: { field: CaseSortField; order: 'asc' | 'desc' },
    page: { page: number; perPage: number },
  ): Promise<{ total: number; rows: CaseRow[] }> {
    const base = applyFilter(db, db.selectFrom('cases'), filter);
    const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const orderBy = sort.field === 'severity' ? severityRank : sql.ref(sort.field);
    const rows = await base
      .selectAll()
      .orderBy(orderBy, sort.order)
      .orderBy('id', sort.order)
      .limit(page.perPage)
      .offset((page.page - 1) * page.perPage)
      .execute();
    return { total: Number(n), rows };
  },

  async countByStatus(db: Executor, filter: CaseFilter): Promise<Record<string, number>> {
    const rows = await applyFilter(db, db.selectFrom('cases'), { ...filter, status: [] })
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  },

  /** Distinct values of a JSON-array or JSON-object column, for tags and reporters. */
  async columnValues(db: Executor, column: 'tags' | 'created_by', owners: string[]): Promise<string[]> {
    let q = db.selectFrom('cases').select(column).distinct();
    if (owners.length > 0) q = q.where('owner', 'in', owners);
    return (await q.execute()).map((row) => (row as Record<string, string>)[column] as string);
  },
};
