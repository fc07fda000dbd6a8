import fs from 'node:fs';
import type { SecretStore } from './secrets.js';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;

export interface OidcSecrets {
  /** The providers of the config file with their secrets filled in, or undefined when it has none. */
  oidc: Raw[] | undefined;
  notices: string[];
}

/**
 * OpenID client secrets follow the GitHub one: a secret in the config file is moved into the store
 * and removed from the file (when importing); a provider without one in the file gets the stored one.
 * A provider with neither is a public client (PKCE only), as configured.
 */
export async function withStoredOidcSecrets(
  raw: Raw,
  file: string | undefined,
  store: SecretStore,
  importSecrets: boolean,
): Promise<OidcSecrets> {
  const list = obj(raw.auth)?.oidc;
  if (!Array.isArray(list) || list.length === 0) return { oidc: undefined, notices: [] };
  const moved: string[] = [];
  const filled: Raw[] = [];
  for (const entry of list) {
    const p = obj(entry);
    if (!p || typeof p.id !== 'string') {
      filled.push(p ?? {}); // the config check names what is wrong with it
      continue;
    }
    const key = `oidcClientSecret:${p.id}` as const;
    if (typeof p.clientSecret === 'string') {
      filled.push({ ...p });
      if (importSecrets) {
        await store.set(key, p.clientSecret);
        delete p.clientSecret;
        moved.push(p.id);
      }
      continue;
    }
    const stored = await store.get(key).catch(() => undefined);
    filled.push(stored ? { ...p, clientSecret: stored } : { ...p });
  }
  const notices: string[] = [];
  if (moved.length && file) {
    const mode = fs.statSync(file).mode & 0o777;
    fs.writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`, { mode });
    notices.push(
      `Moved the client secret of the OpenID provider(s) ${moved.join(', ')} from ${file} into ${store.description}; the file no longer holds it.`,
    );
  }
  return { oidc: filled, notices };
}
