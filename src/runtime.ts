import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AppDeps } from './app.js';
import type { Config } from './config/schema.js';
import { createBuiltInRegistry } from './connectors/all.js';
import { createHttpClient } from './connectors/http-client.js';
import type { ConnectorTypeRegistry } from './connectors/registry.js';
import { createMetrics } from './metrics.js';
import { loadOrCreateKeyFile } from './secrets/key-file.js';
import { createKeyring, type Keyring } from './secrets/keyring.js';
import { migrateToLatest, openStore, type Store } from './store/db.js';

/**
 * Opens what every entry point shares: the data folder, the keyring, the migrated store.
 * The CLI's database commands use this without starting the HTTP server.
 */
export async function openRuntimeStore(
  config: Readonly<Config>,
  logger: Logger,
): Promise<{ store: Store; keyring: Keyring }> {
  mkdirSync(config.dataDir, { recursive: true });
  const keyring = openKeyring(config, logger);
  const store = await openStore({
    url: config.database.url,
    ...(config.database.schema ? { schema: config.database.schema } : {}),
  });
  try {
    const result = await migrateToLatest(store);
    for (const migration of result.results ?? [])
      logger.info({ migration: migration.migrationName }, 'migration applied');
  } catch (error) {
    await store.close();
    throw error;
  }
  return { store, keyring };
}

export function openKeyring(config: Readonly<Config>, logger: Logger): Keyring {
  if (config.encryption.key)
    return createKeyring(config.encryption.key, config.encryption.decryptionOnlyKeys);
  const file = loadOrCreateKeyFile(config.dataDir);
  if (file.generated) {
    logger.warn(
      { path: file.path },
      'no encryption key configured: generated one and stored it in the data folder (mode 0600); set encryption.key (CASEBRIDGE_ENCRYPTION__KEY) in production and keep it safe',
    );
  }
  return createKeyring(file.current, [...file.previous, ...config.encryption.decryptionOnlyKeys]);
}

/** All app dependencies for `serve`. */
export async function createAppDeps(
  config: Readonly<Config>,
  logger: Logger,
  registry: ConnectorTypeRegistry = createBuiltInRegistry(),
): Promise<AppDeps> {
  const { store, keyring } = await openRuntimeStore(config, logger);
  const metrics = createMetrics();
  const http = createHttpClient(config.actions, {
    warn: (message) => logger.warn(message),
    onRequestComplete: (info) =>
      metrics.outboundDuration.observe(
        { method: info.method, host: info.host, status: String(info.status) },
        info.durationMs / 1000,
      ),
  });
  return { config, store, registry, keyring, http, logger, metrics };
}
