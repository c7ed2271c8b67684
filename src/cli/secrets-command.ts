import { join } from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { createLogger } from '../logger.js';
import { KEY_FILE_NAME, readKeyLines, writeKeyLines } from '../secrets/key-file.js';
import { generateKey } from '../secrets/keyring.js';
import { reencryptAll } from '../secrets/rotate.js';
import { openKeyring } from '../runtime.js';
import { CliError } from './errors.js';
import { loadCliConfig, withConfigOption } from './local-config.js';
import { withStore } from './keys-command.js';

/**
 * `casebridge secrets rotate`. With a configured key: put the new key in `encryption.key`, the old
 * one in `encryption.decryptionOnlyKeys`, and run it. With the generated key file: `--new-key`
 * makes the new key, re-encrypts, then forgets the old one.
 */
export function registerSecretsCommand(program: Command): void {
  const secrets = program.command('secrets').description('encryption of secrets at rest');
  withConfigOption(
    secrets
      .command('rotate')
      .description('re-encrypt every stored secret and token under the current key')
      .option(
        '--new-key',
        'generate a new key in the data folder key file first (only when no key is configured)',
      ),
  ).action(async (flags: { config?: string; newKey?: boolean }) => {
    const config = loadCliConfig(flags);
    const keyFile = join(config.dataDir, KEY_FILE_NAME);
    if (flags.newKey) {
      if (config.encryption.key)
        throw new CliError(
          '--new-key works on the generated key file; with encryption.key configured, change the configuration instead',
          2,
        );
      // Make sure the file exists (first run) before prepending to it.
      openKeyring(config, createLogger('warn', process.stderr));
      writeKeyLines(keyFile, [generateKey(), ...readKeyLines(keyFile)]);
    }
    const report = await withStore(flags, async (store, keyring) => {
      const bar = new SingleBar(
        { format: 're-encrypting [{bar}] {value}/{total}', stream: process.stderr },
        Presets.shades_classic,
      );
      let started = false;
      const result = await reencryptAll(store.db, keyring, (done, total) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      });
      if (started) bar.stop();
      return result;
    });
    if (flags.newKey && report.unreadable.length === 0)
      writeKeyLines(keyFile, readKeyLines(keyFile).slice(0, 1));
    process.stdout.write(
      `re-encrypted ${report.connectors} connector secret(s) and ${report.tokens} token(s)` +
        (report.unreadable.length > 0
          ? `; unreadable with every configured key: ${report.unreadable.join(', ')}`
          : '') +
        '\n',
    );
    if (report.unreadable.length > 0) process.exitCode = 1;
  });
}
