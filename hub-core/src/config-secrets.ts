import fs from 'node:fs';
import path from 'node:path';
import { type ConfigSources, loadConfig } from './config/load.js';
import type { HubConfig } from './config/schema.js';
import { HubError } from './errors.js';
import { withStoredOidcSecrets } from './oidc-secrets.js';
import { readSavedSettings } from './ui/settings-file.js';
import { PLAIN_SECRETS_FILE, type SecretStore, importPlainSecretsFile, readSecretsFile } from './secrets.js';

// Stands in for the stored secret while the data folder (where the store lives) is worked out.
const PLACEHOLDER = 'kept-in-the-secret-store';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;

function readRaw(file: string | undefined): Raw {
  if (!file) return {};
  try {
    return obj(JSON.parse(fs.readFileSync(file, 'utf8'))) ?? {};
  } catch {
    return {}; // loadConfig reports a missing or damaged file with its own sentence
  }
}

function withClientSecret(overrides: Raw | undefined, secret: string): Raw {
  const auth = obj(overrides?.auth) ?? {};
  const github = obj(auth.github) ?? {};
  return { ...overrides, auth: { ...auth, github: { ...github, clientSecret: secret } } };
}

export interface ConfigWithSecrets {
  config: HubConfig;
  /** Always opened when importing; when only looking, only if the GitHub secret had to be read. */
  store: SecretStore | undefined;
  notices: string[];
}

/**
 * Loads the settings with the GitHub client secret kept in the secret store instead of a config file.
 * A secret found in the config file is moved into the store and removed from the file; one given in
 * TEAMHUB_GITHUB_CLIENT_SECRET is saved there (which is also how to enter it again); with neither, the
 * stored one is used, and a missing one is a sentence saying how to enter it again.
 */
export async function loadConfigWithStoredSecrets(
  sources: ConfigSources,
  openStore: (dataDir: string) => SecretStore | Promise<SecretStore>,
  /** false for commands that only look (doctor, token, user): nothing is written, moved or created. */
  importSecrets = true,
): Promise<ConfigWithSecrets> {
  const env = sources.env ?? {};
  const file = sources.file ?? env.TEAMHUB_CONFIG;
  const raw = readRaw(file);
  const fileGithub = obj(obj(raw.auth)?.github);
  const fileSecret = typeof fileGithub?.clientSecret === 'string' ? fileGithub.clientSecret : undefined;
  const envSecret = env.TEAMHUB_GITHUB_CLIENT_SECRET;
  const wantsGithub =
    !!fileGithub || !!env.TEAMHUB_GITHUB_CLIENT_ID || !!obj(obj(sources.overrides?.auth)?.github);
  const given = envSecret ?? fileSecret;

  const first = loadConfig(
    wantsGithub && given === undefined
      ? { ...sources, overrides: withClientSecret(sources.overrides, PLACEHOLDER) }
      : sources,
  );
  const fileOidc = obj(raw.auth)?.oidc;
  const hasOidc = Array.isArray(fileOidc) && fileOidc.length > 0 && !obj(sources.overrides?.auth)?.oidc;
  // Looking only, with nothing to read from it: the store (and keytar) is not even opened.
  if (!importSecrets && (!wantsGithub || given !== undefined) && !hasOidc)
    return { config: first, store: undefined, notices: [] };
  const store = await openStore(first.dataDir);
  const notices = importSecrets ? await importPlainSecretsFile(store, first.dataDir) : [];
  const oidc = hasOidc ? await withStoredOidcSecrets(raw, file, store, importSecrets) : undefined;
  notices.push(...(oidc?.notices ?? []));
  const withOidc = (o: Raw | undefined): Raw | undefined =>
    oidc?.oidc ? { ...o, auth: { ...obj(o?.auth), oidc: oidc.oidc } } : o;
  const loaded = oidc?.oidc ? loadConfig({ ...sources, overrides: withOidc(sources.overrides) }) : first;
  if (!wantsGithub) return { config: loaded, store, notices };

  if (given !== undefined) {
    await store.set('githubClientSecret', given);
    if (file && fileSecret !== undefined && fileGithub) {
      delete fileGithub.clientSecret;
      const mode = fs.statSync(file).mode & 0o777;
      fs.writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`, { mode });
      notices.push(
        `Moved auth.github.clientSecret from ${file} into ${store.description}; the file no longer holds it.`,
      );
    }
    return { config: loaded, store, notices };
  }

  let stored: string | undefined;
  let why = '';
  try {
    stored = await store.get('githubClientSecret');
  } catch (err) {
    why = ` (${err instanceof Error ? err.message : String(err)})`;
  }
  // Looking only: a plaintext file not yet moved into the keychain still counts.
  if (!stored && !importSecrets)
    stored = readSecretsFile(path.join(first.dataDir, PLAIN_SECRETS_FILE))?.githubClientSecret;
  // GitHub sign-in saved in Settings (or turned off there) replaces the config file's: its own secret
  // is not needed, so a lost one must not stop the start.
  if (!stored && readSavedSettings(first.dataDir).saved.providers?.github !== undefined) stored = PLACEHOLDER;
  if (!stored) {
    throw new HubError(
      1,
      'github-secret-missing',
      `The GitHub client secret is not in ${store.description}${why}, so GitHub sign-in cannot work.`,
      {
        fix:
          'Enter it again: start once with TEAMHUB_GITHUB_CLIENT_SECRET set to the secret shown on your GitHub ' +
          `OAuth app's page, or put auth.github.clientSecret back in ${file ?? 'the config file'}; either way it is saved in the store and the file cleared.`,
      },
    );
  }
  return {
    config: loadConfig({ ...sources, overrides: withClientSecret(withOidc(sources.overrides), stored) }),
    store,
    notices,
  };
}
