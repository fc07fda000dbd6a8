import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubSecrets } from '../../hub-core/src/secrets.js';
import {
  SEALED_SECRETS_FILE,
  type SafeStorageLike,
  safeStorageSecretStore,
} from '../src/safe-storage-store.js';

/** safeStorage's contract with a real cipher: a value sealed under one key opens only with that key. */
function fakeSafeStorage(key: number, backend = 'gnome_libsecret'): SafeStorageLike {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ key));
  return {
    isEncryptionAvailable: () => true,
    encryptString: (plain) => xor(Buffer.from(`sealed:${plain}`)),
    decryptString: (sealed) => {
      const text = xor(sealed).toString();
      if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided');
      return text.slice('sealed:'.length);
    },
    getSelectedStorageBackend: () => backend,
  };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-safe-'));

describe('safeStorage secret store', () => {
  it('keeps only ciphertext on disk, 0600, and reads it back', async () => {
    const dir = tmp();
    const store = safeStorageSecretStore(fakeSafeStorage(7), dir);
    const { secrets } = await loadHubSecrets(store, dir);
    const file = path.join(dir, SEALED_SECRETS_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(secrets.cookieSecret.toString('hex'));
    const again = await loadHubSecrets(safeStorageSecretStore(fakeSafeStorage(7), dir), dir);
    expect(again.secrets.cookieSecret.equals(secrets.cookieSecret)).toBe(true);
    expect(again.notices).toEqual([]);
  });

  it('a keychain key that is gone (a different key) gives a new secret and says why', async () => {
    const dir = tmp();
    const first = await loadHubSecrets(safeStorageSecretStore(fakeSafeStorage(7), dir), dir);
    const after = await loadHubSecrets(safeStorageSecretStore(fakeSafeStorage(9), dir), dir);
    expect(after.secrets.cookieSecret.equals(first.secrets.cookieSecret)).toBe(false);
    expect(after.notices[0]).toContain('its key is no longer in the OS keychain');
    expect(after.notices[0]).toContain('everyone has to sign in again');
  });

  it('says so when Linux has no keyring and safeStorage falls back to its fixed key', () => {
    const store = safeStorageSecretStore(fakeSafeStorage(7, 'basic_text'), '/data');
    expect(store.description).toBe(
      '/data/secrets.sealed.json, encrypted without an OS keychain (none answered: basic_text)',
    );
    expect(safeStorageSecretStore(fakeSafeStorage(7), '/data').description).toBe(
      '/data/secrets.sealed.json, encrypted with a key in the OS keychain',
    );
  });

  it("imports the headless hub's plaintext secrets.json and deletes it", async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ cookieSecret: 'ab'.repeat(32) }));
    const { secrets } = await loadHubSecrets(safeStorageSecretStore(fakeSafeStorage(3), dir), dir);
    expect(secrets.cookieSecret.toString('hex')).toBe('ab'.repeat(32));
    expect(fs.existsSync(path.join(dir, 'secrets.json'))).toBe(false);
  });
});
