import { describe, expect, it } from 'vitest';
import { createKeyring, generateKey, keyMaterial, SecretsUnreadableError } from './keyring.js';

describe('keyring', () => {
  const key = generateKey();

  it('round-trips and never leaves the plaintext in the envelope', () => {
    const keyring = createKeyring(key);
    const sealed = keyring.encrypt('{"password":"hunter2"}', 'connector-1');
    expect(sealed).not.toContain('hunter2');
    expect(keyring.keyIdOf(sealed)).toBe(keyring.currentKeyId);
    expect(keyring.decrypt(sealed, 'connector-1')).toBe('{"password":"hunter2"}');
    // A fresh IV each time: the same secret never encrypts the same way twice.
    expect(keyring.encrypt('same', 'c')).not.toBe(keyring.encrypt('same', 'c'));
  });

  it('binds a ciphertext to its connector id', () => {
    const keyring = createKeyring(key);
    const sealed = keyring.encrypt('secret', 'connector-1');
    expect(() => keyring.decrypt(sealed, 'connector-2')).toThrow(SecretsUnreadableError);
  });

  it('detects tampering and unknown keys', () => {
    const keyring = createKeyring(key);
    const sealed = keyring.encrypt('secret', 'c');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64');
    expect(() => keyring.decrypt(parts.join(':'), 'c')).toThrow(/authentication failed/);
    const other = createKeyring(generateKey());
    expect(() => other.decrypt(sealed, 'c')).toThrow(/not configured/);
    expect(() => keyring.decrypt('garbage', 'c')).toThrow(/unknown format/);
  });

  it('reads old ciphertexts with decryption-only keys during a rotation', () => {
    const old = createKeyring(key);
    const sealed = old.encrypt('secret', 'c');
    const rotated = createKeyring(generateKey(), [key]);
    expect(rotated.decrypt(sealed, 'c')).toBe('secret');
    expect(rotated.keyIdOf(rotated.encrypt('secret', 'c'))).not.toBe(old.currentKeyId);
  });

  it('accepts base64, hex and passphrase keys as 32 bytes', () => {
    expect(keyMaterial(key)).toHaveLength(32);
    expect(keyMaterial('a'.repeat(64))).toHaveLength(32);
    expect(keyMaterial('a passphrase that is long enough to use')).toHaveLength(32);
  });
});
