import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, type App } from '../app.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../logger.js';
import { createAppDeps } from '../runtime.js';
import { apiKeysRepo } from '../store/repos/api-keys-repo.js';

export const INITIAL_KEY_FILE = 'initial-api-key';

export interface RunningServer {
  app: App;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the service: store, first-run admin key, HTTP server. Returns once listening.
 * `onClose` hooks let serve-time extras (demo simulator, workers) stop with it.
 */
export async function startServer(
  config: Readonly<Config>,
  options: { print?: (line: string) => void } = {},
): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = createLogger(config.logLevel);
  const deps = await createAppDeps(config, logger);

  if ((await apiKeysRepo.count(deps.store.db)) === 0) {
    const { key } = await apiKeysRepo.create(deps.store.db, 'initial-admin', 'all');
    const path = join(config.dataDir, INITIAL_KEY_FILE);
    writeFileSync(path, `${key}\n`, { mode: 0o600 });
    print(`casebridge: first start: created an admin API key (also stored in ${path}, mode 0600):`);
    print(`  ${key}`);
    print(
      `  use it as: curl -H "Authorization: ApiKey ${key}" http://${config.server.host}:${config.server.port}/api/actions/connectors`,
    );
  }

  const app = await buildApp(deps);
  const address = await app.server.listen({ port: config.server.port, host: config.server.host });
  print(`casebridge: listening on ${address} (database: ${deps.store.dialect})`);
  if (config.queue.enabled) await app.queue.startWorker();
  return {
    app,
    url: address,
    close: async () => {
      await app.server.close();
      // Stop claiming, let running deliveries finish (queue.shutdownTimeout), release the rest.
      await app.queue.stopWorkers();
      await deps.http.close();
      await deps.store.close();
    },
  };
}

export function initialKeyExists(dataDir: string): boolean {
  return existsSync(join(dataDir, INITIAL_KEY_FILE));
}
