import fs from 'node:fs';
import path from 'node:path';
import { type SecretName, type SecretStore, SecretUnreadable } from '../../hub-core/src/secrets.js';

/** The part of Electron's safeStorage used here (injected, so tests need no Electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only: 'basic_text' means no keyring answered and the key is a fixed one. */
  getSelectedStorageBackend?(): string;
}

export const SEALED_SECRETS_FILE = 'secrets.sealed.json';

/**
 * The desktop app's store: each value encrypted with Electron safeStorage (its key lives in the OS
 * keychain), the ciphertext kept in `<dataDir>/secrets.sealed.json`. A value whose key is gone from
 * the keychain cannot be decrypted: get() says so, and loadHubSecrets makes a new one.
 */
export function safeStorageSecretStore(safe: SafeStorageLike, dataDir: string): SecretStore {
  const file = path.join(dataDir, SEALED_SECRETS_FILE);
  const backend = safe.getSelectedStorageBackend?.();
  const keyless = !safe.isEncryptionAvailable() || backend === 'basic_text';
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  return {
    kind: 'safeStorage',
    description: keyless
      ? `${file}, encrypted without an OS keychain (none answered${backend ? `: ${backend}` : ''})`
      : `${file}, encrypted with a key in the OS keychain`,
    get: async (name: SecretName) => {
      const sealed = read()[name];
      if (sealed === undefined) return undefined;
      if (!safe.isEncryptionAvailable()) throw new SecretUnreadable('the OS keychain is not available');
      try {
        return safe.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        throw new SecretUnreadable('its key is no longer in the OS keychain');
      }
    },
    set: async (name: SecretName, value: string) => {
      if (!safe.isEncryptionAvailable()) throw new SecretUnreadable('the OS keychain is not available');
      const next = { ...read(), [name]: safe.encryptString(value).toString('base64') };
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, JSON.stringify(next), { mode: 0o600 });
    },
    delete: async (name: SecretName) => {
      const current = read();
      if (!(name in current)) return;
      const { [name]: _gone, ...rest } = current;
      fs.writeFileSync(file, JSON.stringify(rest), { mode: 0o600 });
    },
  };
}
