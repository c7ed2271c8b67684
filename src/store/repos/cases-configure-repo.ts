import type { CaseUser, ConfigurationRecord } from '../../domain/cases/types.js';
import { encodeVersion } from '../../domain/cases/version.js';
import type { CaseConfigurationsTable } from '../database.js';
import { json, type Executor } from './cases-json.js';

export type ConfigurationRow = CaseConfigurationsTable;

export function configurationFromRow(row: ConfigurationRow): ConfigurationRecord {
  return {
    id: row.id,
    version: encodeVersion(row.version),
    owner: row.owner,
    connector: json.read(row.connector),
    closure_type: row.closure_type as ConfigurationRecord['closure_type'],
    customFields: json.read(row.custom_fields),
    templates: json.read(row.templates),
    sync: row.sync as ConfigurationRecord['sync'],
    created_at: row.created_at,
    created_by: json.read<CaseUser>(row.created_by),
    updated_at: row.updated_at,
    updated_by: json.readNullable(row.updated_by),
  };
}

/** Per-owner cases configuration; Kibana keeps one per owner, so create replaces. */
export const caseConfigureRepo = {
  async list(db: Executor, owners?: string[]): Promise<ConfigurationRow[]> {
    let q = db.selectFrom('case_configurations').selectAll();
    if (owners?.length) q = q.where('owner', 'in', owners);
    return q.orderBy('created_at').orderBy('id').execute();
  },

  async get(db: Executor, id: string): Promise<ConfigurationRow | undefined> {
    return db.selectFrom('case_configurations').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async replaceForOwner(db: Executor, row: ConfigurationRow): Promise<void> {
    await db.deleteFrom('case_configurations').where('owner', '=', row.owner).execute();
    await db.insertInto('case_configurations').values(row).execute();
  },

  async update(
    db: Executor,
    id: string,
    expected: number,
    changes: Partial<Omit<ConfigurationRow, 'id' | 'version' | 'owner'>>,
  ): Promise<boolean> {
    const result = await db
      .updateTable('case_configurations')
      .set({ ...changes, version: expected + 1 })
      .where('id', '=', id)
      .where('version', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};
