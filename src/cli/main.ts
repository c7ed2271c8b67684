import { Command, CommanderError } from 'commander';
import { version } from '../version.js';
import { registerAlertsCommand } from './alerts-command.js';
import { registerCasesCommand } from './cases-command.js';
import { registerConnectorsCommand } from './connectors-command.js';
import { registerDeliveriesCommand } from './deliveries-command.js';
import { CliError } from './errors.js';
import { registerIngestTokensCommand } from './ingest-tokens-command.js';
import { registerKeysCommand, withStore } from './keys-command.js';
import { loadCliConfig, withConfigOption } from './local-config.js';
import { registerSecretsCommand } from './secrets-command.js';
import { registerSimulateCommand, startDemo } from './simulate-command.js';
import { startServer } from './serve.js';
import { registerWorkerCommand } from './worker-command.js';

interface ServeFlags {
  config?: string;
  port?: string;
  host?: string;
  demo?: boolean;
  demoPort?: string;
}

export function buildProgram(): Command {
  const program = new Command('casebridge')
    .description('Turn cases and alerts into tickets and keep them in step.')
    .version(version)
    .showHelpAfterError()
    .exitOverride();

  withConfigOption(
    program
      .command('serve', { isDefault: true })
      .description('run the service (HTTP API and workers)')
      .option('-p, --port <port>', 'port to listen on (default 5620)')
      .option('--host <host>', 'address to bind (default 127.0.0.1)')
      .option('--demo', 'also run a ServiceNow simulator with demo connectors pointing at it')
      .option('--demo-port <port>', 'port of the demo simulator (default 5621)'),
  ).action(async (flags: ServeFlags) => {
    const port = flags.port === undefined ? undefined : Number(flags.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new CliError(`--port must be a whole number from 0 to 65535 (got "${flags.port}")`, 2);
    }
    const demo = flags.demo ? await startDemo(flags.demoPort) : undefined;
    const config = loadCliConfig(flags, {
      'server.port': port,
      'server.host': flags.host,
      ...demo?.overrides,
    });
    const server = await startServer(config);
    demo?.printHowTo(server.url, (line) => process.stdout.write(`${line}\n`));
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server
          .close()
          .then(() => demo?.close())
          .then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });

  withConfigOption(program.command('migrate').description('apply database migrations and exit')).action(
    async (flags: { config?: string }) => {
      await withStore(flags, async (store) => {
        process.stdout.write(`database (${store.dialect}) is at the latest migration\n`);
      });
    },
  );

  registerKeysCommand(program);
  registerSecretsCommand(program);
  registerConnectorsCommand(program);
  registerCasesCommand(program);
  registerIngestTokensCommand(program);
  registerAlertsCommand(program);
  registerSimulateCommand(program);
  registerDeliveriesCommand(program);
  registerWorkerCommand(program);
  return program;
}

/** Entry point of `bin/casebridge.js`: runs a command and sets the exit code (1 failure, 2 usage/config). */
export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`casebridge: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`casebridge: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
