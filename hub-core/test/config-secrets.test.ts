import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigWithStoredSecrets } from '../src/config-secrets.js';
import { keychainSecretStore } from '../src/secret-store.js';
import type { SecretStore } from '../src/secrets.js';

function setup(github: Record<string, unknown> = { clientId: 'Iv1.abc', clientSecret: 's3cret-value' }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-cfgsec-'));
  const dataDir = path.join(dir, 'data');
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ dataDir, auth: { github, adminUsers: ['ada'] } }, null, 2), {
    mode: 0o640,
  });
  const entries = new Map<string, string>();
  const keytar = {
    getPassword: async (s: string, a: string) => entries.get(`${s}/${a}`) ?? null,
    setPassword: async (s: string, a: string, p: string) => void entries.set(`${s}/${a}`, p),
    deletePassword: async (s: string, a: string) => entries.delete(`${s}/${a}`),
  };
  const open = (d: string): SecretStore => keychainSecretStore(keytar, d);
  return { dir, dataDir, file, entries, open };
}

const fileJson = (file: string) =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as { auth: { github: Record<string, unknown> } };

describe('the GitHub client secret and the config file', () => {
  it('is moved from the config file into the store, leaving the rest of the file as it was', async () => {
    const { file, entries, open } = setup();
    const { config, notices } = await loadConfigWithStoredSecrets({ file, env: {} }, open);
    expect(config.auth.github?.clientSecret).toBe('s3cret-value');
    expect(fileJson(file).auth.github).toEqual({ clientId: 'Iv1.abc' });
    expect(fileJson(file)).toMatchObject({ auth: { adminUsers: ['ada'] } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect([...entries.values()]).toEqual(['s3cret-value']);
    expect(notices).toEqual([
      `Moved auth.github.clientSecret from ${file} into the OS keychain (service "TeamHub"); the file no longer holds it.`,
    ]);
  });

  it('comes from the store on the next start', async () => {
    const { file, open } = setup();
    await loadConfigWithStoredSecrets({ file, env: {} }, open);
    const again = await loadConfigWithStoredSecrets({ file, env: {} }, open);
    expect(again.config.auth.github?.clientSecret).toBe('s3cret-value');
    expect(again.notices).toEqual([]);
  });

  it('lost from the store: a sentence with the way to enter it again; entering it through the env works', async () => {
    const { file, entries, open } = setup();
    await loadConfigWithStoredSecrets({ file, env: {} }, open);
    entries.clear();
    await expect(loadConfigWithStoredSecrets({ file, env: {} }, open)).rejects.toMatchObject({
      reason: 'github-secret-missing',
      message:
        'The GitHub client secret is not in the OS keychain (service "TeamHub"), so GitHub sign-in cannot work.',
      fix: expect.stringContaining('start once with TEAMHUB_GITHUB_CLIENT_SECRET set to the secret'),
    });
    const entered = await loadConfigWithStoredSecrets(
      { file, env: { TEAMHUB_GITHUB_CLIENT_SECRET: 'new-secret' } },
      open,
    );
    expect(entered.config.auth.github?.clientSecret).toBe('new-secret');
    const later = await loadConfigWithStoredSecrets({ file, env: {} }, open);
    expect(later.config.auth.github?.clientSecret).toBe('new-secret');
  });

  it('lost from the store does not stop the start when GitHub sign-in saved in Settings replaces it', async () => {
    const { file, dataDir, entries, open } = setup();
    await loadConfigWithStoredSecrets({ file, env: {} }, open);
    entries.clear();
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(
      path.join(dataDir, 'settings.json'),
      JSON.stringify({ providers: { github: { clientId: 'Ov23liSettings' } } }),
    );
    const { config } = await loadConfigWithStoredSecrets({ file, env: {} }, open);
    // The config file's app is loaded (the hub then replaces it with the one saved in Settings).
    expect(config.auth.github?.clientId).toBe('Iv1.abc');
  });

  it('takes a secret left in a plaintext secrets.json by the file store into the keychain first', async () => {
    const { file, dataDir, open } = setup({ clientId: 'Iv1.abc' });
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify({ githubClientSecret: 'from-file' }));
    const { config, notices } = await loadConfigWithStoredSecrets({ file, env: {} }, open);
    expect(config.auth.github?.clientSecret).toBe('from-file');
    expect(fs.existsSync(path.join(dataDir, 'secrets.json'))).toBe(false);
    expect(notices[0]).toContain("Moved the hub's secrets from");
  });

  it('only looks when asked to (doctor, token, user): no file rewritten, nothing stored or created', async () => {
    const { file, dataDir, entries, open } = setup();
    const before = fs.readFileSync(file, 'utf8');
    const { config, notices } = await loadConfigWithStoredSecrets({ file, env: {} }, open, false);
    expect(config.auth.github?.clientSecret).toBe('s3cret-value');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(entries.size).toBe(0);
    expect(notices).toEqual([]);
    expect(fs.existsSync(dataDir)).toBe(false);

    await loadConfigWithStoredSecrets({ file, env: {} }, open); // serve moves it
    const looked = await loadConfigWithStoredSecrets({ file, env: {} }, open, false);
    expect(looked.config.auth.github?.clientSecret).toBe('s3cret-value');
  });

  it('only looking, opens no store (no keychain probe) when it needs nothing from it', async () => {
    const { file } = setup();
    const never = (): SecretStore => {
      throw new Error('the store was opened');
    };
    const given = await loadConfigWithStoredSecrets({ file, env: {} }, never, false);
    expect(given.store).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-cfgsec-'));
    const none = await loadConfigWithStoredSecrets({ env: { TEAMHUB_DATA_DIR: dir } }, never, false);
    expect(none.config.auth.github).toBeUndefined();
  });

  it('leaves a hub without GitHub sign-in alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-cfgsec-'));
    const { open, entries } = setup();
    const { config, notices } = await loadConfigWithStoredSecrets(
      { env: { TEAMHUB_DATA_DIR: path.join(dir, 'data') } },
      open,
    );
    expect(config.auth.github).toBeUndefined();
    expect(notices).toEqual([]);
    expect(entries.size).toBe(0);
  });
});

describe('OpenID client secrets and the config file', () => {
  const provider = (extra: Record<string, unknown> = {}) => ({
    id: 'corp',
    displayName: 'Corp SSO',
    issuer: 'https://id.example.org',
    clientId: 'teamhub',
    ...extra,
  });
  function oidcSetup(oidc: unknown[]) {
    const s = setup();
    fs.writeFileSync(s.file, JSON.stringify({ dataDir: s.dataDir, auth: { oidc } }, null, 2), {
      mode: 0o600,
    });
    return s;
  }
  const oidcInFile = (file: string) =>
    (JSON.parse(fs.readFileSync(file, 'utf8')) as { auth: { oidc: Record<string, unknown>[] } }).auth.oidc;

  it('are moved into the store at serve, read back on the next start; public clients stay public', async () => {
    const { file, entries, open } = oidcSetup([
      provider({ clientSecret: 'oidc-s3cret' }),
      provider({ id: 'pub' }),
    ]);
    const first = await loadConfigWithStoredSecrets({ file, env: {} }, open);
    expect(first.config.auth.oidc.map((p) => p.clientSecret)).toEqual(['oidc-s3cret', undefined]);
    expect(oidcInFile(file)).toEqual([provider(), provider({ id: 'pub' })]);
    expect([...entries.values()]).toContain('oidc-s3cret');
    expect(first.notices.join('\n')).toContain('Moved the client secret of the OpenID provider(s) corp from');

    const again = await loadConfigWithStoredSecrets({ file, env: {} }, open);
    expect(again.config.auth.oidc.map((p) => p.clientSecret)).toEqual(['oidc-s3cret', undefined]);
    expect(again.notices).toEqual([]);
  });

  it('commands that only look leave the file as it is', async () => {
    const { file, entries, open } = oidcSetup([provider({ clientSecret: 'oidc-s3cret' })]);
    const looked = await loadConfigWithStoredSecrets({ file, env: {} }, open, false);
    expect(looked.config.auth.oidc[0]?.clientSecret).toBe('oidc-s3cret');
    expect(oidcInFile(file)[0]?.clientSecret).toBe('oidc-s3cret');
    expect(entries.size).toBe(0);
  });
});
