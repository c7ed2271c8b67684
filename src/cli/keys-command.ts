import type { Command } from 'commander';
import { createLogger } from '../logger.js';
import { openRuntimeStore } from '../runtime.js';
import { apiKeysRepo } from '../store/repos/api-keys-repo.js';
import { CliError } from './errors.js';
import { loadCliConfig, withConfigOption } from './local-config.js';

/** `casebridge keys …`: API keys, managed directly in the database (works with the server down). */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage API keys (directly in the database)');

  withConfigOption(
    keys
      .command('create')
      .description('create an API key and print it once')
      .requiredOption('--name <name>', 'a name that says who uses the key')
      .option('--role <role>', 'all (read and write) or read', 'all'),
  ).action(async (flags: { name: string; role: string; config?: string }) => {
    if (flags.role !== 'all' && flags.role !== 'read')
      throw new CliError(`--role must be all or read (got "${flags.role}")`, 2);
    if (flags.name.trim() === '') throw new CliError('--name must not be blank', 2);
    const role = flags.role;
    await withStore(flags, async (store) => {
      const { row, key } = await apiKeysRepo.create(store.db, flags.name, role);
      process.stdout.write(
        `created key ${row.id} (${row.name}, role ${row.role}); it is shown only now:\n${key}\n`,
      );
    });
  });

  withConfigOption(keys.command('list').description('list API keys (never the keys themselves)')).action(
    async (flags: { config?: string }) => {
      await withStore(flags, async (store) => {
        const rows = await apiKeysRepo.list(store.db);
        const view = rows.map(({ id, name, role, created_at, last_used_at, revoked_at }) => ({
          id,
          name,
          role,
          created_at,
          last_used_at,
          revoked_at,
        }));
        process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      });
    },
  );

  withConfigOption(keys.command('revoke <idOrName>').description('revoke a key by id or name')).action(
    async (idOrName: string, flags: { config?: string }) => {
      await withStore(flags, async (store) => {
        const count = await apiKeysRepo.revoke(store.db, idOrName);
        if (count === 0) throw new CliError(`no active key with id or name "${idOrName}"`);
        process.stdout.write(`revoked ${count} key(s)\n`);
      });
    },
  );
}

export async function withStore<T>(
  flags: { config?: string },
  work: (
    store: Awaited<ReturnType<typeof openRuntimeStore>>['store'],
    keyring: Awaited<ReturnType<typeof openRuntimeStore>>['keyring'],
  ) => Promise<T>,
): Promise<T> {
  const config = loadCliConfig(flags);
  const { store, keyring } = await openRuntimeStore(config, createLogger('warn', process.stderr));
  try {
    return await work(store, keyring);
  } finally {
    await store.close();
  }
}
