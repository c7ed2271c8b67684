import type { Command } from 'commander';
import { ingestTokensRepo } from '../store/repos/ingest-tokens-repo.js';
import { CliError } from './errors.js';
import { withStore } from './keys-command.js';
import { withConfigOption } from './local-config.js';

/** `casebridge ingest-tokens …`: credentials that may only post alerts (Alertmanager, Kibana webhooks). */
export function registerIngestTokensCommand(program: Command): void {
  const tokens = program
    .command('ingest-tokens')
    .description('manage alert ingest tokens (directly in the database)');
  withConfigOption(
    tokens
      .command('create')
      .description('create an ingest token and print it once')
      .requiredOption('--name <name>', 'a name that says which sender holds the token')
      .option(
        '--source <source>',
        'bind the token to one alert source (alerts of other sources are refused)',
      ),
  ).action(async (flags: { name: string; source?: string; config?: string }) => {
    if (flags.name.trim() === '') throw new CliError('--name must not be blank', 2);
    if (flags.source !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(flags.source)) {
      throw new CliError('--source must be 1-64 letters, digits, dots, dashes or underscores', 2);
    }
    await withStore(flags, async (store) => {
      const { row, token } = await ingestTokensRepo.create(store.db, flags.name, flags.source ?? null);
      process.stdout.write(`created ingest token ${row.id} (${row.name}); it is shown only now:\n${token}\n`);
    });
  });
  withConfigOption(
    tokens.command('list').description('list ingest tokens (never the tokens themselves)'),
  ).action(async (flags: { config?: string }) => {
    await withStore(flags, async (store) => {
      const rows = await ingestTokensRepo.list(store.db);
      const view = rows.map(({ token_hash: _hash, ...rest }) => rest);
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    });
  });
  withConfigOption(
    tokens.command('revoke <idOrName>').description('revoke an ingest token by id or name'),
  ).action(async (idOrName: string, flags: { config?: string }) => {
    await withStore(flags, async (store) => {
      const count = await ingestTokensRepo.revoke(store.db, idOrName);
      if (count === 0) throw new CliError(`no active ingest token with id or name "${idOrName}"`);
      process.stdout.write(`revoked ${count} ingest token(s)\n`);
    });
  });
}
