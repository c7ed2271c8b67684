import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, migrateToLatest, openStore, type DialectName, type Store } from '../../src/store/db.js';

/** Dialects to run store tests on: `DIALECTS=sqlite` limits a local run; CI runs both. */
export const dialects: DialectName[] = (process.env.DIALECTS ?? 'sqlite,postgres')
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is DialectName => name === 'sqlite' || name === 'postgres');

export const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: Store;
  /** The url and schema a second process (a CLI run, another instance) needs to reach this store. */
  url: string;
  schema?: string;
  cleanup(): Promise<void>;
}

/**
 * A migrated store of its own: a fresh SQLite file in a temp folder, or a fresh PostgreSQL schema,
 * so parallel test files never see each other's rows.
 */
export async function createTestStore(dialect: DialectName): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'casebridge-test-'));
    const url = `sqlite:${join(dir, 'casebridge.db')}`;
    const store = await openStore({ url });
    await migrateToLatest(store);
    return {
      store,
      url,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `cb_test_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ url: postgresUrl, schema, poolSize: 4 });
  await migrateToLatest(store);
  return {
    store,
    url: postgresUrl,
    schema,
    cleanup: async () => {
      await store.close();
      await dropSchema(postgresUrl, schema);
    },
  };
}
