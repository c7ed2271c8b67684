import { buildApp, type App, type AppDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { createBuiltInRegistry } from '../../src/connectors/all.js';
import type { AnyConnectorType } from '../../src/connectors/contract.js';
import { createHttpClient } from '../../src/connectors/http-client.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createKeyring } from '../../src/secrets/keyring.js';
import type { DialectName } from '../../src/store/db.js';
import { apiKeysRepo } from '../../src/store/repos/api-keys-repo.js';
import { createTestStore, type TestStore } from './test-store.js';
import { Writable } from 'node:stream';

export const TEST_ENCRYPTION_KEY = 'test-encryption-key-0123456789-abcdefghij';

export interface TestApp {
  app: App;
  deps: AppDeps;
  testStore: TestStore;
  /** Authorization header values for an `all` key and a `read` key. */
  adminAuth: string;
  readAuth: string;
  /** Every log line the app wrote, for asserting that secrets never reach the log. */
  logLines: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  dialect?: DialectName;
  /** Config values as they would be written in casebridge.yaml (dotted keys allowed). */
  config?: Record<string, unknown>;
  /** Extra connector types registered after the built-in ones (test fixtures). */
  extraTypes?: AnyConnectorType[];
}

/**
 * A real app on a real store (its own SQLite file or PostgreSQL schema), with the real HTTP
 * client and connector registry. Tests call `app.server.inject()` or listen on port 0.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const testStore = await createTestStore(options.dialect ?? 'sqlite');
  const config: Readonly<Config> = loadConfig({
    env: {},
    overrides: { 'encryption.key': TEST_ENCRYPTION_KEY, 'database.url': testStore.url, ...options.config },
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const registry = createBuiltInRegistry();
  for (const type of options.extraTypes ?? []) registry.register(type);
  const deps: AppDeps = {
    config,
    store: testStore.store,
    registry,
    keyring: createKeyring(TEST_ENCRYPTION_KEY),
    http: createHttpClient(config.actions),
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
  };
  const app = await buildApp(deps);
  const admin = await apiKeysRepo.create(testStore.store.db, 'test-admin', 'all');
  const reader = await apiKeysRepo.create(testStore.store.db, 'test-reader', 'read');
  return {
    app,
    deps,
    testStore,
    adminAuth: `ApiKey ${admin.key}`,
    readAuth: `ApiKey ${reader.key}`,
    logLines,
    close: async () => {
      await app.server.close();
      await deps.http.close();
      await testStore.cleanup();
    },
  };
}
