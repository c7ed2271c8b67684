import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from './keyring.js';

/**
 * When no encryption key is configured, casebridge keeps one in `<dataDir>/encryption-key`
 * (mode 0600): the first line is the current key, later lines are older keys kept for
 * decryption until `casebridge secrets rotate` has re-encrypted everything.
 */
export const KEY_FILE_NAME = 'encryption-key';

export interface KeyFileResult {
  current: string;
  previous: string[];
  path: string;
  generated: boolean;
}

export function loadOrCreateKeyFile(dataDir: string): KeyFileResult {
  const path = join(dataDir, KEY_FILE_NAME);
  if (existsSync(path)) {
    const [current, ...previous] = readKeyLines(path);
    if (current === undefined) throw new Error(`${path} is empty; delete it or configure encryption.key`);
    return { current, previous, path, generated: false };
  }
  const current = generateKey();
  writeKeyLines(path, [current]);
  return { current, previous: [], path, generated: true };
}

export function readKeyLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export function writeKeyLines(path: string, keys: string[]): void {
  writeFileSync(path, `${keys.join('\n')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
