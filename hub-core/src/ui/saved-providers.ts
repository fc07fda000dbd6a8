import { buildProviders, someSignInMethod } from '../auth/providers.js';
import { configSchema, type HubConfig } from '../config/schema.js';
import type { HubContext } from '../context.js';
import { describeError } from '../errors.js';
import type { SecretName, SecretStore } from '../secrets.js';
import { fieldErrors, invalid, readSavedSettings, settingsFile } from './settings.js';

export type Raw = Record<string, unknown>;
export type AuthConfig = HubConfig['auth'];

export const GITHUB_SECRET: SecretName = 'settings:githubClientSecret';
export const oidcSecret = (id: string): SecretName => `settings:oidcClientSecret:${id}`;
/** Marks a saved OpenID provider whose client secret is in the store (absent: a public client). */
export const CONFIDENTIAL = 'confidential';
/** Stands in for a secret not typed yet, so the other fields are still checked in the same answer. */
export const PLACEHOLDER_SECRET = 'not-yet-entered';

/** A provider saved in Settings that is off for now (its secret is gone), and the sentence why. */
export interface OffProvider {
  saved: Raw;
  problem: string;
}

/** Saved providers that are off, and other problems with the saved settings, for the settings screen. */
export interface ProvidersOff {
  github?: OffProvider;
  oidc: OffProvider[];
  other: string[];
}

export const noneOff = (): ProvidersOff => ({ oidc: [], other: [] });

export const offProblems = (off: ProvidersOff): string[] => [
  ...(off.github ? [off.github.problem] : []),
  ...off.oidc.map((o) => o.problem),
  ...off.other,
];

/** The form's name for a config path: github.clientId, oidc.issuer. */
function fieldOf(path: string): string {
  if (path === 'auth.oidc') return 'oidc.id';
  return path
    .replace(/^auth\.github\b/, 'github')
    .replace(/^auth\.oidc\.\d+\b/, 'oidc')
    .replace(/\.\d+$/, '');
}

/**
 * These providers in place of the current ones, checked with the config file's own rules; `extra`
 * are the form's own findings (a missing secret, a taken id), answered together with the rest.
 */
export function validated(
  config: HubConfig,
  github: Raw | null | undefined,
  oidc: Raw[] | undefined,
  extra: Record<string, string> = {},
): AuthConfig {
  const copy = structuredClone(config);
  const auth = copy.auth as unknown as Raw;
  if (github === null) delete auth.github;
  else if (github) auth.github = github;
  if (oidc) auth.oidc = oidc;
  const checked = configSchema.safeParse(copy);
  const fields = checked.success ? {} : fieldErrors(checked.error.issues, fieldOf);
  if (!checked.success || Object.keys(extra).length) throw invalid({ ...fields, ...extra });
  return checked.data.auth;
}

export function withoutSecret(p: object): Raw {
  const { clientSecret: _secret, [CONFIDENTIAL]: _marker, ...rest } = p as Raw;
  return rest;
}

/** The OpenID list as saved in settings.json: no secrets, a marker where one is in the store. */
export const savedOidc = (list: AuthConfig['oidc']): Raw[] =>
  list.map((p) => ({ ...withoutSecret(p), ...(p.clientSecret ? { [CONFIDENTIAL]: true } : {}) }));

/** A saved provider's secret, or the sentence saying why it is missing. */
async function storedSecret(
  store: SecretStore,
  name: SecretName,
  what: string,
): Promise<{ secret: string } | { problem: string }> {
  let why: string;
  try {
    const value = await store.get(name);
    if (value) return { secret: value };
    why = `is not in ${store.description}`;
  } catch (err) {
    why = `could not be read from ${store.description} (${describeError(err)})`;
  }
  return {
    problem: `${what} saved in Settings is off: its client secret ${why}. Enter it again with Change (Settings → Sign-in).`,
  };
}

export interface SavedProviders {
  /** The sign-in settings to use, when Settings saved any that are valid. */
  auth?: AuthConfig;
  off: ProvidersOff;
  /** For the log: config-file providers that the saved ones replace. */
  notes: string[];
}

/**
 * At start: the providers saved from the settings screen, their secrets read from the store. One
 * whose secret is gone stays off with a sentence saying so, and can be turned on again by entering
 * it; the others work.
 */
export async function loadSavedProviders(config: HubConfig, store: SecretStore): Promise<SavedProviders> {
  const { saved: settings, problem } = readSavedSettings(config.dataDir);
  const off: ProvidersOff = { oidc: [], other: problem ? [problem] : [] };
  const saved = settings.providers;
  if (!saved || (saved.github === undefined && saved.oidc === undefined)) return { off, notes: [] };
  const notes: string[] = [];
  if (saved.github !== undefined && config.auth.github)
    notes.push(
      'auth.github from the config file or environment is not used: GitHub sign-in saved in Settings replaces it (turn that off in Settings to use the file again).',
    );
  if (saved.oidc !== undefined && config.auth.oidc.length)
    notes.push(
      'auth.oidc from the config file is not used: the OpenID providers saved in Settings replace it.',
    );
  let github = saved.github;
  if (github) {
    const found = await storedSecret(store, GITHUB_SECRET, 'GitHub sign-in');
    if ('secret' in found) github = { ...github, clientSecret: found.secret };
    else {
      off.github = { saved: github, problem: found.problem };
      github = null;
    }
  }
  let oidc: Raw[] | undefined;
  if (saved.oidc) {
    oidc = [];
    for (const entry of saved.oidc) {
      if (!entry[CONFIDENTIAL]) {
        oidc.push(withoutSecret(entry));
        continue;
      }
      const what = `The OpenID provider "${String(entry.id)}"`;
      const found = await storedSecret(store, oidcSecret(String(entry.id)), what);
      if ('secret' in found) oidc.push({ ...withoutSecret(entry), clientSecret: found.secret });
      else off.oidc.push({ saved: entry, problem: found.problem });
    }
  }
  try {
    return { auth: validated(config, github, oidc), off, notes };
  } catch (err) {
    const why = `Sign-in providers saved in ${settingsFile(config.dataDir)} were ignored (${describeError(err)}); the config file's are used.`;
    return { off: { oidc: [], other: [...off.other, why] }, notes: [] };
  }
}

/** For commands that only look (doctor): the saved providers, their secrets left in the store. */
export function savedProvidersForLooking(config: HubConfig): HubConfig {
  const saved = readSavedSettings(config.dataDir).saved.providers;
  if (!saved) return config;
  const kept = PLACEHOLDER_SECRET;
  const github = saved.github ? { ...saved.github, clientSecret: kept } : saved.github;
  const oidc = saved.oidc?.map((p) =>
    p[CONFIDENTIAL] ? { ...withoutSecret(p), clientSecret: kept } : withoutSecret(p),
  );
  try {
    return { ...config, auth: validated(config, github, oidc) };
  } catch {
    return config; // the hub says why when it starts
  }
}

/** Puts providers to work at once (the next sign-in uses them), with `off` as the settings screen's state. */
export function useProviders(ctx: HubContext, auth: AuthConfig, off: ProvidersOff): void {
  if (auth.github) ctx.config.auth.github = auth.github;
  else delete ctx.config.auth.github;
  ctx.config.auth.oidc = auth.oidc;
  ctx.config.auth.local = auth.local;
  Object.assign(ctx, buildProviders(auth, ctx.lan.state().port ?? ctx.config.port));
  ctx.providersOff = off;
  if (off.github)
    ctx.githubProblem =
      'GitHub sign-in is off until an admin enters its client secret again (Settings → Sign-in).';
}

/**
 * When the providers that are off were the only way in, password accounts are offered for this run
 * (not saved), so an admin can still sign in and enter the secret again.
 */
export function keepAWayIn(auth: AuthConfig, off: ProvidersOff): AuthConfig {
  if (someSignInMethod(auth) || (!off.github && !off.oidc.length)) return auth;
  off.other.push(
    'Password accounts are on for now, because no other sign-in method works: an admin with a password (teamhub user password NAME --admin sets one) can sign in and enter the missing client secret.',
  );
  return { ...auth, local: { ...auth.local, enabled: true } };
}
