import type { Command } from 'commander';
import { buildApp } from '../app.js';
import { createLogger } from '../logger.js';
import { createAppDeps } from '../runtime.js';
import { loadCliConfig, withConfigOption } from './local-config.js';

/**
 * `casebridge worker`: delivery workers without the HTTP API, for scaling delivery apart from
 * the API (several on one PostgreSQL database). SIGTERM/SIGINT stop it gracefully.
 */
export function registerWorkerCommand(program: Command): void {
  withConfigOption(
    program
      .command('worker')
      .description('run delivery workers only (no HTTP API)')
      .option('--concurrency <n>', 'deliveries at once in this process (default queue.concurrency)'),
  ).action(async (flags: { config?: string; concurrency?: string }) => {
    const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
    const config = loadCliConfig(flags, { 'queue.concurrency': concurrency });
    const logger = createLogger(config.logLevel);
    const deps = await createAppDeps(config, logger);
    // The app is built for its services (actions, queue); it never listens here.
    const app = await buildApp(deps);
    const worker = await app.queue.startWorker();
    process.stdout.write(
      `casebridge: delivery worker ${worker.workerId} running (database: ${deps.store.dialect})\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await app.queue.stopWorkers();
    await app.server.close();
    await deps.http.close();
    await deps.store.close();
  });
}
