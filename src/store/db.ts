import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type MigrationResultSet,
  type SqliteDatabase as SqliteDatabaseLike,
} from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { migrations } from './migrations/index.js';

export type DialectName = 'sqlite' | 'postgres';

/** The open database and what callers need to know about it. */
export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** For PostgreSQL: the pool, so the queue can LISTEN on a dedicated client. */
  pgPool?: pg.Pool;
  /** PostgreSQL schema the store lives in, when not the default one. */
  schema?: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` / `postgresql://…`. */
  url: string;
  /** PostgreSQL only: a schema to create (if needed) and use for every connection. */
  schema?: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

// int8 (COUNT(*), bigint columns) arrives as a string by default; our values fit a double.
pg.types.setTypeParser(20, (value: string) => Number(value));

export function dialectOf(url: string): DialectName {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('sqlite:')) return 'sqlite';
  throw new Error(`database url must start with sqlite: or postgres:// (got "${url.split(':')[0]}:")`);
}

/** Opens the store. Does not migrate: call `migrateToLatest` (serve and `casebridge migrate` do). */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const dialect = dialectOf(options.url);
  if (dialect === 'sqlite') {
    const path = options.url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const database = new SqliteDatabase(path === ':memory:' ? ':memory:' : resolve(path));
    // WAL lets readers run beside the single writer; NORMAL sync is durable across process
    // crashes (only an OS crash can lose the last commits), which is WAL's usual trade-off.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
    });
    return { db, dialect, close: () => db.destroy() };
  }

  const schema = options.schema;
  if (schema !== undefined) {
    // Create the schema with a throwaway client first: the pool's connections set search_path to it.
    const client = new pg.Client({ connectionString: options.url });
    await client.connect();
    try {
      await client.query(`create schema if not exists "${schema}"`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path="${schema}"` }),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect,
    pgPool: pool,
    ...(schema === undefined ? {} : { schema }),
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares a statement for every query; preparing is a good part of a small query's cost
 * on SQLite (it showed as ~8 % of an `_execute` profile). Queries are built from a fixed set of
 * shapes, so keep prepared statements by SQL text. Reuse is safe: better-sqlite3 runs each
 * statement to completion synchronously.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDatabaseLike {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const maxStatements = 500;
  return {
    close: () => database.close(),
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        // Migrations and ad-hoc queries could grow this without bound; start over when large.
        if (cache.size >= maxStatements) cache.clear();
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

export async function migrateToLatest(store: Store): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    // Kysely looks for its bookkeeping tables across all schemas unless told which one; a
    // deployment or test run in its own schema must keep its own.
    ...(store.schema === undefined ? {} : { migrationTableSchema: store.schema }),
  });
  const result = await withSchemaLock(store, () => migrator.migrateToLatest());
  if (result.error) throw result.error;
  return result;
}

/**
 * Kysely's PostgreSQL introspection (which the migrator runs) reads every schema in the database
 * and fails with "schema … does not exist" if one is dropped while it reads. Migrations and
 * `dropSchema` therefore take the same advisory lock, so several deployments, test runs or
 * benchmarks sharing one database never trip over each other.
 */
const SCHEMA_LOCK_KEY = 0x63627364; // "cbsd"

async function withSchemaLock<T>(store: Store, work: () => Promise<T>): Promise<T> {
  if (!store.pgPool) return work();
  const client = await store.pgPool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    return await work();
  } finally {
    await client.query('select pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/** Drops a PostgreSQL schema and everything in it, under the migrations' lock (see above). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** A cheap round trip, for `/api/status`. */
export async function pingStore(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}
