import path from 'node:path';
import {
  PLAIN_SECRETS_FILE,
  type SecretName,
  type SecretStore,
  readSecretsFile,
  writeSecretsFile,
} from './secrets.js';

/** A 0600 JSON file in the data folder: the fallback when no OS keychain answers. */
export function fileSecretStore(dataDir: string, why?: string): SecretStore {
  const file = path.join(dataDir, PLAIN_SECRETS_FILE);
  return {
    kind: 'file',
    description: `the file ${file} (readable by this user only)${why ? `, because ${why}` : ''}`,
    get: async (name) => readSecretsFile(file)?.[name],
    set: async (name, value) => writeSecretsFile(file, { ...readSecretsFile(file), [name]: value }),
    delete: async (name) => {
      const current = readSecretsFile(file);
      if (!current || !(name in current)) return;
      const { [name]: _gone, ...rest } = current;
      writeSecretsFile(file, rest);
    },
  };
}

/** The part of keytar this module uses (keytar is an optional dependency, loaded only if present). */
interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

const SERVICE = 'TeamHub';
const PROBE_TIMEOUT_MS = 3000;

async function loadKeytar(): Promise<Keytar> {
  // A variable specifier keeps TypeScript and bundlers from requiring the optional package.
  const specifier = 'keytar';
  const mod = (await import(specifier)) as Keytar & { default?: Keytar };
  return mod.default ?? mod;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/** The OS keychain through keytar; entries are per data folder, so two hubs never share one. */
export function keychainSecretStore(keytar: Keytar, dataDir: string): SecretStore {
  const account = (name: SecretName) => `${name}@${path.resolve(dataDir)}`;
  return {
    kind: 'keychain',
    description: `the OS keychain (service "${SERVICE}")`,
    get: async (name) => (await keytar.getPassword(SERVICE, account(name))) ?? undefined,
    set: (name, value) => keytar.setPassword(SERVICE, account(name), value),
    delete: async (name) => {
      await keytar.deletePassword(SERVICE, account(name));
    },
  };
}

/**
 * The headless hub's store: the OS keychain (Secret Service, macOS Keychain, Windows Credential
 * Manager) when keytar is installed and the keychain answers, else the 0600 file. TEAMHUB_SECRET_STORE=file
 * chooses the file. The description says which one is used and why.
 */
export async function openHeadlessSecretStore(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  load: () => Promise<Keytar> = loadKeytar,
): Promise<SecretStore> {
  if (env.TEAMHUB_SECRET_STORE === 'file') return fileSecretStore(dataDir, 'TEAMHUB_SECRET_STORE=file');
  let keytar: Keytar;
  try {
    keytar = await load();
  } catch {
    return fileSecretStore(dataDir, 'the optional keytar module is not installed');
  }
  try {
    await withTimeout(keytar.getPassword(SERVICE, 'probe'), PROBE_TIMEOUT_MS, 'The OS keychain');
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return fileSecretStore(dataDir, `no OS keychain answered (${reason})`);
  }
  return keychainSecretStore(keytar, dataDir);
}
