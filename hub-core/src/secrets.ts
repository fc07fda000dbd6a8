import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HubError } from './errors.js';

export interface HubSecrets {
  cookieSecret: Buffer;
}

/** The names a hub keeps in its secret store (one OpenID client secret per provider id). */
export type SecretName =
  | 'cookieSecret'
  | 'githubClientSecret'
  | `oidcClientSecret:${string}`
  // Providers entered in Settings keep their own entries: a config file or TEAMHUB_GITHUB_CLIENT_SECRET
  // never overwrites the secret that goes with the client id saved in Settings.
  | 'settings:githubClientSecret'
  | `settings:oidcClientSecret:${string}`;

/** Where a hub keeps its secrets: the OS keychain (keytar or Electron safeStorage) or a 0600 file. */
export interface SecretStore {
  readonly kind: 'keychain' | 'file' | 'safeStorage';
  /** One sentence saying where the secrets are kept, for the log and the UI. */
  readonly description: string;
  /** undefined when the entry is missing; throws SecretUnreadable when it is there but cannot be read. */
  get(name: SecretName): Promise<string | undefined>;
  set(name: SecretName, value: string): Promise<void>;
  /** Forgets an entry (a provider turned off); no error when there is none. */
  delete(name: SecretName): Promise<void>;
}

/** An entry exists but cannot be decrypted or read (e.g. the keychain key that sealed it is gone). */
export class SecretUnreadable extends Error {}

const COOKIE_SECRET = /^[0-9a-f]{64}$/;
export const PLAIN_SECRETS_FILE = 'secrets.json';
const LEDGER_FILE = 'secrets-ledger.json';

/** Reads `<dataDir>/secrets.json` (name → value); undefined when there is none; HubError when damaged. */
export function readSecretsFile(file: string): Record<string, string> | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const entries = Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string');
      return Object.fromEntries(entries);
    }
  } catch {
    // reported below
  }
  throw new HubError(500, 'secrets-corrupt', `The secrets file ${file} is damaged.`, {
    fix: 'Move it away and restart: a new one is made (everyone will have to sign in again, and client secrets entered in Settings must be entered again).',
  });
}

export function writeSecretsFile(file: string, values: Record<string, string>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(values), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    // A half-written copy would be one more place holding every secret.
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // the write's own error says more
    }
    throw err;
  }
}

/**
 * Reads the hub's own secrets from `<dataDir>/secrets.json`, creating them on first run with 0600
 * permissions. The hub uses this when its caller hands it no secrets (tests, embedding).
 */
export function loadOrCreateSecrets(dataDir: string): HubSecrets {
  const file = path.join(dataDir, PLAIN_SECRETS_FILE);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const values = readSecretsFile(file);
  if (values) {
    if (values.cookieSecret && COOKIE_SECRET.test(values.cookieSecret))
      return { cookieSecret: Buffer.from(values.cookieSecret, 'hex') };
    throw new HubError(500, 'secrets-corrupt', `The secrets file ${file} is damaged.`, {
      fix: 'Move it away and restart: a new one is made (everyone will have to sign in again, and client secrets entered in Settings must be entered again).',
    });
  }
  const cookieSecret = crypto.randomBytes(32);
  writeSecretsFile(file, { cookieSecret: cookieSecret.toString('hex') });
  return { cookieSecret };
}

/** Which store held which secrets last time (names only): tells "lost" apart from "first run". */
interface Ledger {
  store: SecretStore['kind'];
  names: SecretName[];
}

function readLedger(dataDir: string): Ledger | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, LEDGER_FILE), 'utf8')) as Ledger;
  } catch {
    return undefined;
  }
}

const SECRET_NAMES: SecretName[] = ['cookieSecret', 'githubClientSecret'];

/**
 * Moves a plaintext secrets.json (left by a hub that used the file) into a keychain-backed store and
 * deletes it. Returns what it did, as sentences; nothing when the store is the file itself.
 */
export async function importPlainSecretsFile(store: SecretStore, dataDir: string): Promise<string[]> {
  if (store.kind === 'file') return [];
  const plainFile = path.join(dataDir, PLAIN_SECRETS_FILE);
  const plain = readSecretsFile(plainFile);
  if (!plain) return [];
  const moved = SECRET_NAMES.filter((n) => typeof plain[n] === 'string' && plain[n] !== '');
  for (const name of moved) await store.set(name, plain[name]!);
  fs.rmSync(plainFile, { force: true });
  return moved.length
    ? [`Moved the hub's secrets from ${plainFile} into ${store.description}; the file is deleted.`]
    : [];
}

export interface LoadedSecrets {
  secrets: HubSecrets;
  /** Sentences for the log and the UI: what was imported, what was lost and what that means. */
  notices: string[];
}

/**
 * Loads the hub's secrets from `store`. A plaintext secrets.json left by an earlier run is moved into
 * a keychain-backed store and deleted. An entry that has gone missing (keychain reset, another user
 * account, a new machine) is replaced with a new one and explained, never a crash.
 */
export async function loadHubSecrets(store: SecretStore, dataDir: string): Promise<LoadedSecrets> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const notices = await importPlainSecretsFile(store, dataDir);

  let cookieHex: string | undefined;
  let unreadable: string | undefined;
  try {
    cookieHex = await store.get('cookieSecret');
    if (cookieHex !== undefined && !COOKIE_SECRET.test(cookieHex)) {
      unreadable = 'it is not a 64-digit hex value';
      cookieHex = undefined;
    }
  } catch (err) {
    unreadable = err instanceof Error ? err.message : String(err);
  }
  if (cookieHex === undefined) {
    const ledger = readLedger(dataDir);
    if (unreadable || ledger?.names.includes('cookieSecret')) {
      const where =
        ledger && ledger.store !== store.kind ? ` (it was kept in the ${ledger.store} before)` : '';
      notices.push(
        `The hub's cookie secret could not be read from ${store.description}${where}${unreadable ? `: ${unreadable}` : ''}. ` +
          'A new one was made: everyone has to sign in again; servers and files are unaffected.',
      );
    }
    cookieHex = crypto.randomBytes(32).toString('hex');
    await store.set('cookieSecret', cookieHex);
  }
  const ledger: Ledger = { store: store.kind, names: ['cookieSecret'] };
  fs.writeFileSync(path.join(dataDir, LEDGER_FILE), JSON.stringify(ledger), { mode: 0o600 });
  return { secrets: { cookieSecret: Buffer.from(cookieHex, 'hex') }, notices };
}
