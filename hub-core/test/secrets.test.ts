import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSecretStore, keychainSecretStore, openHeadlessSecretStore } from '../src/secret-store.js';
import { type SecretStore, SecretUnreadable, loadHubSecrets, loadOrCreateSecrets } from '../src/secrets.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-secrets-'));

/** An in-memory keychain with keytar's shape. */
function memoryKeytar(fail?: Error) {
  const entries = new Map<string, string>();
  return {
    entries,
    getPassword: async (s: string, a: string) => {
      if (fail) throw fail;
      return entries.get(`${s}/${a}`) ?? null;
    },
    setPassword: async (s: string, a: string, p: string) => void entries.set(`${s}/${a}`, p),
    deletePassword: async (s: string, a: string) => entries.delete(`${s}/${a}`),
  };
}

describe('headless secret store choice', () => {
  it('uses the OS keychain when keytar loads and the keychain answers', async () => {
    const store = await openHeadlessSecretStore(tmp(), {}, async () => memoryKeytar());
    expect(store.kind).toBe('keychain');
    expect(store.description).toBe('the OS keychain (service "TeamHub")');
  });

  it('falls back to a 0600 file and says why: keytar missing, keychain silent, or asked to', async () => {
    const dir = tmp();
    const missing = await openHeadlessSecretStore(dir, {}, () =>
      Promise.reject(new Error('Cannot find module')),
    );
    expect(missing.kind).toBe('file');
    expect(missing.description).toContain('because the optional keytar module is not installed');

    const silent = await openHeadlessSecretStore(dir, {}, async () =>
      memoryKeytar(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY\nmore')),
    );
    expect(silent.kind).toBe('file');
    expect(silent.description).toContain(
      'because no OS keychain answered (Cannot autolaunch D-Bus without X11 $DISPLAY)',
    );

    const chosen = await openHeadlessSecretStore(dir, { TEAMHUB_SECRET_STORE: 'file' }, async () =>
      memoryKeytar(),
    );
    expect(chosen.kind).toBe('file');

    await chosen.set('cookieSecret', 'a'.repeat(64));
    const file = path.join(dir, 'secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await chosen.get('cookieSecret')).toBe('a'.repeat(64));
  });
});

describe('loading the hub secrets', () => {
  it('makes a cookie secret on first run and returns the same one afterwards, with no notice', async () => {
    const dir = tmp();
    const keytar = memoryKeytar();
    const store = keychainSecretStore(keytar, dir);
    const first = await loadHubSecrets(store, dir);
    expect(first.secrets.cookieSecret).toHaveLength(32);
    expect(first.notices).toEqual([]);
    const again = await loadHubSecrets(store, dir);
    expect(again.secrets.cookieSecret.equals(first.secrets.cookieSecret)).toBe(true);
    // Nothing secret on disk: the keychain holds the value, the folder only names what is where.
    expect(fs.existsSync(path.join(dir, 'secrets.json'))).toBe(false);
    const onDisk = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    expect(onDisk.join()).not.toContain(first.secrets.cookieSecret.toString('hex'));
  });

  it('moves a plaintext secrets.json from an earlier run into the keychain and deletes it', async () => {
    const dir = tmp();
    const old = loadOrCreateSecrets(dir);
    const keytar = memoryKeytar();
    const { secrets, notices } = await loadHubSecrets(keychainSecretStore(keytar, dir), dir);
    expect(secrets.cookieSecret.equals(old.cookieSecret)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'secrets.json'))).toBe(false);
    expect([...keytar.entries.values()]).toEqual([old.cookieSecret.toString('hex')]);
    expect(notices).toEqual([
      `Moved the hub's secrets from ${path.join(dir, 'secrets.json')} into the OS keychain (service "TeamHub"); the file is deleted.`,
    ]);
  });

  it('a keychain entry that went missing gives a new secret and a sentence, not a crash', async () => {
    const dir = tmp();
    const keytar = memoryKeytar();
    const first = await loadHubSecrets(keychainSecretStore(keytar, dir), dir);
    keytar.entries.clear();
    const after = await loadHubSecrets(keychainSecretStore(keytar, dir), dir);
    expect(after.secrets.cookieSecret.equals(first.secrets.cookieSecret)).toBe(false);
    expect(after.notices).toHaveLength(1);
    expect(after.notices[0]).toMatch(
      /^The hub's cookie secret could not be read from the OS keychain .*A new one was made: everyone has to sign in again; servers and files are unaffected\.$/,
    );
  });

  it('says where the secret was before when the keychain stops answering and the file takes over', async () => {
    const dir = tmp();
    await loadHubSecrets(keychainSecretStore(memoryKeytar(), dir), dir);
    const after = await loadHubSecrets(fileSecretStore(dir, 'no OS keychain answered'), dir);
    expect(after.notices[0]).toContain('(it was kept in the keychain before)');
  });

  it('an entry that cannot be decrypted is reported with the reason and replaced', async () => {
    const dir = tmp();
    const broken: SecretStore = {
      kind: 'safeStorage',
      description: 'a sealed file',
      get: async () => {
        throw new SecretUnreadable('its key is no longer in the OS keychain');
      },
      set: async () => undefined,
      delete: async () => undefined,
    };
    const { secrets, notices } = await loadHubSecrets(broken, dir);
    expect(secrets.cookieSecret).toHaveLength(32);
    expect(notices[0]).toContain(
      'could not be read from a sealed file: its key is no longer in the OS keychain. A new one was made',
    );
  });

  it('a damaged secrets file is a clear error naming the file and the fix', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{not json');
    await expect(loadHubSecrets(fileSecretStore(dir), dir)).rejects.toThrow(
      `The secrets file ${path.join(dir, 'secrets.json')} is damaged.`,
    );
  });
});
