import { buildProviders, someSignInMethod } from '../auth/providers.js';
import { configSchema, githubSchema, type HubConfig, oidcSchema } from '../config/schema.js';
import type { HubContext } from '../context.js';
import { describeError } from '../errors.js';
import type { SecretName, SecretStore } from '../secrets.js';
import { readSavedSettings, settingsFile } from './settings-file.js';
import { fieldErrors, invalid } from './settings.js';

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
  /** Its secret, when that was found and another field is what is wrong (kept in memory only). */
  secret?: string;
}

/** Saved providers that are off, and other problems with the saved settings, for the settings screen. */
export interface ProvidersOff {
  github?: OffProvider;
  oidc: OffProvider[];
  other: string[];
}

/** The most OpenID providers that can be on at once (the config file's limit). */
export const MAX_OIDC = 20;

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

// What the settings forms show; a bad value in any other field is dropped at start (its default
// applies) instead of turning the provider off with something the screen cannot correct.
const FORM_FIELDS = {
  github: ['clientId', 'clientSecret', 'url', 'apiUrl', 'callbackUrl', 'allowedOrganizations', 'deviceFlow'],
  oidc: [
    'id',
    'displayName',
    'issuer',
    'clientId',
    'clientSecret',
    'callbackUrl',
    'scopes',
    'pkce',
    'usernameClaim',
    'stripEmailDomain',
    'groupsClaim',
    'allowedGroups',
    'adminGroups',
  ],
};

/**
 * A saved provider made usable: keys that are not settings are dropped, and so are bad values of
 * fields the form does not show, each said in `off.other`. `error` remains when a field the form
 * shows is bad; the cleaned entry is what the form then corrects.
 */
function repaired(
  kind: 'github' | 'oidc',
  entry: Raw,
  check: (e: Raw) => void,
  what: string,
  off: ProvidersOff,
): { entry: Raw; error?: unknown } {
  const known = Object.keys((kind === 'github' ? githubSchema : oidcSchema).shape);
  const unknown = Object.keys(entry).filter((k) => !known.includes(k));
  const e = Object.fromEntries(Object.entries(entry).filter(([k]) => known.includes(k)));
  if (unknown.length)
    off.other.push(`${what}: ${unknown.map((k) => `"${k}"`).join(', ')} left out (not a setting).`);
  for (;;) {
    try {
      check(e);
      return { entry: e };
    } catch (err) {
      const fields = Object.entries((err as { fields?: Record<string, string> }).fields ?? {}).map(
        ([k, why]) => [k.replace(/^(github|oidc)\./, ''), why] as const,
      );
      const hidden = fields.filter(([k]) => k in e && !FORM_FIELDS[kind].includes(k));
      if (!hidden.length) return { entry: e, error: err };
      for (const [k, why] of hidden) {
        delete e[k];
        off.other.push(`${what}: ${k} left out, so its default applies (${why.replace(/\.$/, '')}).`);
      }
    }
  }
}

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
    problem: `${what} saved in Settings is off: its client secret ${why}. Use "Enter the client secret again" in Settings → Sign-in.`,
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
  // Problems with the rest of the file are withSavedSettings' to say (the hub adds them to `other`).
  const { saved: settings } = readSavedSettings(config.dataDir);
  const off: ProvidersOff = { oidc: [], other: [] };
  const saved = settings.providers;
  if (!saved || (saved.github === undefined && saved.oidc === undefined)) return { off, notes: [] };
  const file = settingsFile(config.dataDir);
  const notes: string[] = [];
  if (saved.github !== undefined && config.auth.github)
    notes.push(
      saved.github
        ? `auth.github from the config file or environment is not used: GitHub sign-in saved in Settings replaces it. To use the file's again, delete "github" under "providers" in ${file}.`
        : `auth.github from the config file or environment is not used: GitHub sign-in was turned off in Settings. Set it up there again, or delete "github" under "providers" in ${file}.`,
    );
  if (saved.oidc !== undefined && config.auth.oidc.length)
    notes.push(
      `auth.oidc from the config file is not used: the OpenID providers saved in Settings replace it. To use the file's again, delete "oidc" under "providers" in ${file}.`,
    );
  // Each provider is checked on its own: one that a hand edit (or an older version) left invalid is
  // off with the reason, and the others still work.
  const invalidNow = (what: string, err: unknown) =>
    `${what} saved in Settings is off: ${describeError(err)} Correct it in Settings → Sign-in, or turn it off.`;
  let github = saved.github;
  if (github) {
    const found = await storedSecret(store, GITHUB_SECRET, 'GitHub sign-in');
    const r =
      'secret' in found
        ? repaired(
            'github',
            { ...github, clientSecret: found.secret },
            (e) => validated(config, e, undefined),
            'GitHub sign-in',
            off,
          )
        : undefined;
    if ('problem' in found) off.github = { saved: github, problem: found.problem };
    else if (r?.error)
      off.github = {
        saved: withoutSecret(r.entry),
        problem: invalidNow('GitHub sign-in', r.error),
        secret: found.secret,
      };
    github = off.github ? null : (r?.entry ?? null);
  }
  let oidc: Raw[] | undefined;
  if (saved.oidc) {
    oidc = [];
    for (const entry of saved.oidc) {
      const id = entry.id;
      if (typeof id !== 'string' || [...oidc, ...off.oidc.map((o) => o.saved)].some((p) => p.id === id)) {
        off.other.push(
          `An OpenID provider in ${file} without an id of its own (${JSON.stringify(id)}) was ignored.`,
        );
        continue;
      }
      const what = `The OpenID provider "${id}"`;
      let candidate: Raw = withoutSecret(entry);
      if (entry[CONFIDENTIAL]) {
        const found = await storedSecret(store, oidcSecret(id), what);
        if ('problem' in found) {
          off.oidc.push({ saved: entry, problem: found.problem });
          continue;
        }
        candidate = { ...candidate, clientSecret: found.secret };
      }
      const secret = typeof candidate.clientSecret === 'string' ? { secret: candidate.clientSecret } : {};
      if (oidc.length >= MAX_OIDC) {
        off.oidc.push({
          saved: entry,
          problem: `${what} saved in Settings is off: at most ${MAX_OIDC} OpenID providers can be on.`,
          ...secret,
        });
        continue;
      }
      const list = oidc;
      const r = repaired('oidc', candidate, (e) => validated(config, undefined, [...list, e]), what, off);
      if (!r.error) oidc.push(r.entry);
      else {
        const marker = entry[CONFIDENTIAL] ? { [CONFIDENTIAL]: true } : {};
        off.oidc.push({
          saved: { ...withoutSecret(r.entry), ...marker },
          problem: invalidNow(what, r.error),
          ...secret,
        });
      }
    }
  }
  try {
    return { auth: validated(config, github, oidc), off, notes };
  } catch (err) {
    const why = `Sign-in providers saved in ${file} were ignored (${describeError(err)}); the config file's are used.`;
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

const PASSWORDS_FOR_NOW =
  'Password accounts are on for now, because no other sign-in method works: an admin with a password (teamhub user password NAME --admin sets one) can sign in and turn a provider back on.';

/** A provider works again, or password accounts were turned on for good: "for now" is over. */
export function endPasswordsForNow(ctx: HubContext): void {
  if (!ctx.passwordsForNow) return;
  ctx.passwordsForNow = false;
  ctx.providersOff.other = ctx.providersOff.other.filter((m) => m !== PASSWORDS_FOR_NOW);
}

/**
 * When the providers that are off were the only way in, password accounts are offered for this run
 * (not saved), so an admin can still sign in and enter the secret again.
 */
export function keepAWayIn(auth: AuthConfig, off: ProvidersOff): { auth: AuthConfig; forNow: boolean } {
  if (someSignInMethod(auth) || (!off.github && !off.oidc.length)) return { auth, forNow: false };
  off.other.push(PASSWORDS_FOR_NOW);
  return { auth: { ...auth, local: { ...auth.local, enabled: true } }, forNow: true };
}
