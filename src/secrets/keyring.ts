import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for everything secret at rest. Each ciphertext records the id of the key that
 * sealed it, so a rotation can add a new current key, keep old keys for decryption only, and
 * re-encrypt row by row. The associated data binds a ciphertext to its row (the connector id):
 * a secrets blob copied onto another connector fails to decrypt instead of leaking.
 */
const VERSION = 'v1';

export interface Keyring {
  /** Id of the key new ciphertexts are sealed with. */
  readonly currentKeyId: string;
  encrypt(plaintext: string, associatedData: string): string;
  /** Throws `SecretsUnreadableError` if no key opens it or it was tampered with. */
  decrypt(envelope: string, associatedData: string): string;
  /** Key id an envelope was sealed with, or undefined if it is not an envelope. */
  keyIdOf(envelope: string): string | undefined;
}

export class SecretsUnreadableError extends Error {
  constructor(reason: string) {
    super(`stored secrets cannot be decrypted: ${reason}`);
    this.name = 'SecretsUnreadableError';
  }
}

interface Key {
  id: string;
  material: Buffer;
}

/** Accepts 32 bytes as base64 or hex; any other string of 32+ characters is hashed to 32 bytes. */
export function keyMaterial(key: string): Buffer {
  const trimmed = key.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const base64 = Buffer.from(trimmed, 'base64');
  if (base64.length === 32 && /^[A-Za-z0-9+/]{43}=?$/.test(trimmed)) return base64;
  return createHash('sha256').update(trimmed, 'utf8').digest();
}

function toKey(key: string): Key {
  const material = keyMaterial(key);
  // The id is a fingerprint, not the key: 8 hex characters of a hash of the material.
  const id = createHash('sha256').update('casebridge-key-id:').update(material).digest('hex').slice(0, 8);
  return { id, material };
}

export function generateKey(): string {
  return randomBytes(32).toString('base64');
}

export function createKeyring(currentKey: string, decryptionOnlyKeys: readonly string[] = []): Keyring {
  const current = toKey(currentKey);
  const byId = new Map<string, Key>();
  for (const key of [current, ...decryptionOnlyKeys.map(toKey)]) if (!byId.has(key.id)) byId.set(key.id, key);

  return {
    currentKeyId: current.id,
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.material, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        VERSION,
        current.id,
        iv.toString('base64'),
        tag.toString('base64'),
        body.toString('base64'),
      ].join(':');
    },
    decrypt(envelope, associatedData) {
      const parts = envelope.split(':');
      if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretsUnreadableError('unknown format');
      const [, keyId, iv, tag, body] = parts as [string, string, string, string, string];
      const key = byId.get(keyId);
      if (!key)
        throw new SecretsUnreadableError(`they were encrypted with key ${keyId}, which is not configured`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.material, Buffer.from(iv, 'base64'));
        decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SecretsUnreadableError('authentication failed (wrong key or altered data)');
      }
    },
    keyIdOf(envelope) {
      const parts = envelope.split(':');
      return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
    },
  };
}
