import { type Request, type Response, Router } from 'express';
import { bodyObject, caller, jsonBody, needScope } from '../api/common.js';
import { buildProviders, someSignInMethod } from '../auth/providers.js';
import { teammateHosts } from '../auth/settings-routes.js';
import { configSchema, type HubConfig } from '../config/schema.js';
import type { HubContext } from '../context.js';
import { HubError, describeError } from '../errors.js';
import type { Auth as Caller } from '../http/auth-context.js';
import type { SecretName, SecretStore } from '../secrets.js';
import {
  type SettingsPatch,
  fieldErrors,
  invalid,
  noSignInLeft,
  readSavedSettings,
  saveSettings,
  settingsFile,
} from './settings.js';

type Raw = Record<string, unknown>;
type Auth = HubConfig['auth'];
type SavedProviders = NonNullable<SettingsPatch['providers']>;

const GITHUB_SECRET: SecretName = 'githubClientSecret';
const oidcSecret = (id: string): SecretName => `oidcClientSecret:${id}`;
// Marks a saved OpenID provider whose client secret is in the store (absent: a public client).
const CONFIDENTIAL = 'confidential';

/** Blank form fields mean "not set", so the defaults (github.com, this hub's callback URL) apply. */
function withoutBlanks(body: Raw): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(body)) {
    const value = typeof v === 'string' ? v.trim() : v;
    if (value !== '' && value !== null && value !== undefined) out[k] = value;
  }
  return out;
}

/** The form's name for a config path: github.clientId, oidc.issuer. */
function fieldOf(path: string): string {
  if (path === 'auth.oidc') return 'oidc.id';
  return path
    .replace(/^auth\.github\b/, 'github')
    .replace(/^auth\.oidc\.\d+\b/, 'oidc')
    .replace(/\.\d+$/, '');
}

/** These providers in place of the current ones, checked with the config file's own rules. */
function validated(config: HubConfig, github: Raw | null | undefined, oidc: Raw[] | undefined): Auth {
  const copy = structuredClone(config);
  const auth = copy.auth as unknown as Raw;
  if (github === null) delete auth.github;
  else if (github) auth.github = github;
  if (oidc) auth.oidc = oidc;
  const checked = configSchema.safeParse(copy);
  if (!checked.success) throw invalid(fieldErrors(checked.error.issues, fieldOf));
  return checked.data.auth;
}

function withoutSecret(p: object): Raw {
  const { clientSecret: _secret, ...rest } = p as Raw;
  return rest;
}

const savedOidc = (list: Auth['oidc']): Raw[] =>
  list.map((p) => ({ ...withoutSecret(p), ...(p.clientSecret ? { [CONFIDENTIAL]: true } : {}) }));

/** A secret saved with a provider, or undefined with the sentence saying why it is missing. */
async function storedSecret(
  store: SecretStore,
  name: SecretName,
  what: string,
  problems: string[],
): Promise<string | undefined> {
  let why: string;
  try {
    const value = await store.get(name);
    if (value) return value;
    why = `is not in ${store.description}`;
  } catch (err) {
    why = `could not be read from ${store.description} (${describeError(err)})`;
  }
  problems.push(
    `${what} saved in Settings is off: its client secret ${why}. Enter it again in Settings → Sign-in.`,
  );
  return undefined;
}

/**
 * At start: the providers saved from the settings screen, their secrets read from the store. A
 * provider whose secret is gone is left off with a sentence saying so; the rest still work.
 */
export async function loadSavedProviders(
  config: HubConfig,
  store: SecretStore,
): Promise<{ auth: Auth | undefined; problems: string[] }> {
  const saved = readSavedSettings(config.dataDir).saved.providers;
  if (!saved || (saved.github === undefined && saved.oidc === undefined))
    return { auth: undefined, problems: [] };
  const problems: string[] = [];
  let github = saved.github;
  if (github) {
    const secret = await storedSecret(store, GITHUB_SECRET, 'GitHub sign-in', problems);
    github = secret ? { ...github, clientSecret: secret } : null;
  }
  let oidc: Raw[] | undefined;
  if (saved.oidc) {
    oidc = [];
    for (const { [CONFIDENTIAL]: confidential, ...p } of saved.oidc) {
      if (!confidential) {
        oidc.push(p);
        continue;
      }
      const what = `The OpenID provider "${String(p.id)}"`;
      const secret = await storedSecret(store, oidcSecret(String(p.id)), what, problems);
      if (secret) oidc.push({ ...p, clientSecret: secret });
    }
  }
  try {
    return { auth: validated(config, github, oidc), problems };
  } catch (err) {
    return {
      auth: undefined,
      problems: [
        `Sign-in providers saved in ${settingsFile(config.dataDir)} were ignored (${describeError(err)}); the config file's are used.`,
      ],
    };
  }
}

/** For commands that only look (doctor): the saved providers, their secrets left in the store. */
export function savedProvidersForLooking(config: HubConfig): HubConfig {
  const saved = readSavedSettings(config.dataDir).saved.providers;
  if (!saved) return config;
  const kept = 'kept-in-the-secret-store';
  const github = saved.github ? { ...saved.github, clientSecret: kept } : saved.github;
  const oidc = saved.oidc?.map(({ [CONFIDENTIAL]: confidential, ...p }) =>
    confidential ? { ...p, clientSecret: kept } : p,
  );
  try {
    return { ...config, auth: validated(config, github, oidc) };
  } catch {
    return config; // the hub says why when it starts
  }
}

/** Puts new providers to work at once: the next sign-in uses them, no restart. */
export function useProviders(ctx: HubContext, auth: Auth): void {
  if (auth.github) ctx.config.auth.github = auth.github;
  else delete ctx.config.auth.github;
  ctx.config.auth.oidc = auth.oidc;
  Object.assign(ctx, buildProviders(auth, ctx.lan.state().port ?? ctx.config.port));
}

/** What the settings form shows: every field but the secrets, and where callbacks go. */
export function providerSettingsView(ctx: HubContext) {
  const auth = ctx.config.auth;
  const port = ctx.lan.state().port ?? ctx.config.port;
  const saved = readSavedSettings(ctx.config.dataDir).saved.providers ?? {};
  return {
    github: auth.github ? { ...withoutSecret(auth.github), secretSaved: true } : null,
    oidc: auth.oidc.map((p) => ({ ...withoutSecret(p), secretSaved: !!p.clientSecret })),
    // Callback URLs the form shows while an id or address is typed: this hub's, then the teammates'.
    callbackBases: [`http://localhost:${port}`, ...teammateHosts(ctx).map((h) => `http://${h}`)],
    fromSettings: { github: saved.github !== undefined, oidc: saved.oidc !== undefined },
    problems: ctx.providerProblems,
  };
}

async function keepSecrets(store: SecretStore, secrets: [SecretName, string][]): Promise<void> {
  try {
    for (const [name, value] of secrets) await store.set(name, value);
  } catch (err) {
    throw new HubError(503, 'secret-store', `The client secret could not be saved in ${store.description}.`, {
      evidence: [describeError(err)],
      fix: 'Unlock the keychain (or set TEAMHUB_SECRET_STORE=file) and save again.',
    });
  }
}

/** The secret a form sent; blank keeps the one in use (the form never shows it). */
const sentSecret = (body: Raw, kept: string | undefined): unknown =>
  'clientSecret' in body ? body.clientSecret : kept;

/**
 * The settings screen's sign-in providers: GitHub (PUT/DELETE) and OpenID Connect (POST to add,
 * PUT/DELETE by id). Applied at once and saved in settings.json; client secrets go to the secret store.
 */
export function providerSettingsRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = jsonBody('64kb');

  async function change(
    auth: Caller,
    what: string,
    next: { github?: Raw | null; oidc?: Raw[] },
    secrets: [SecretName, string][],
  ): Promise<void> {
    const checked = validated(ctx.config, next.github, next.oidc);
    if (!someSignInMethod(checked)) throw noSignInLeft();
    await keepSecrets(ctx.secretStore, secrets);
    const providers: SavedProviders = {};
    if (next.github !== undefined) providers.github = checked.github ? withoutSecret(checked.github) : null;
    if (next.oidc !== undefined) providers.oidc = savedOidc(checked.oidc);
    saveSettings(ctx.config.dataDir, { providers });
    useProviders(ctx, checked);
    ctx.providerProblems = [];
    ctx.events.record({
      level: 'info',
      kind: 'settings',
      user_name: auth.user.name,
      message: `${auth.user.name} ${what}.`,
      details: { providers },
    });
  }

  const answer = (res: Response) => res.json(providerSettingsView(ctx));
  const admin = (req: Request, res: Response): Caller => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin-ui', 'admin:users']);
    return auth;
  };

  r.get('/hub/ui/api/settings/providers', (req, res) => {
    admin(req, res);
    answer(res);
  });

  r.put('/hub/ui/api/settings/providers/github', json, async (req, res) => {
    const auth = admin(req, res);
    const body = withoutBlanks(bodyObject(req));
    const secret = sentSecret(body, ctx.config.auth.github?.clientSecret);
    if (secret === undefined)
      throw invalid({
        'github.clientSecret':
          'Paste the client secret from the OAuth app page at GitHub ("Generate a new client secret").',
      });
    await change(
      auth,
      ctx.config.auth.github ? 'changed GitHub sign-in' : 'set up GitHub sign-in',
      { github: { ...body, clientSecret: secret } },
      typeof secret === 'string' ? [[GITHUB_SECRET, secret]] : [],
    );
    answer(res);
  });

  r.delete('/hub/ui/api/settings/providers/github', async (req, res) => {
    const auth = admin(req, res);
    await change(auth, 'turned GitHub sign-in off', { github: null }, []);
    answer(res);
  });

  /** The provider list with this one added or replaced; a blank secret keeps the one in use. */
  function oidcList(
    body: Raw,
    id: string,
    replacing: boolean,
  ): { list: Raw[]; secrets: [SecretName, string][] } {
    const current = ctx.config.auth.oidc;
    const existing = current.find((p) => p.id === id);
    const { publicClient, ...fields } = body;
    const secret = publicClient === true ? undefined : sentSecret(fields, existing?.clientSecret);
    // A form that says "not a public client" must come with a secret (the API may leave both out).
    if (publicClient === false && secret === undefined)
      throw invalid({
        'oidc.clientSecret':
          'Paste the client secret from the provider, or tick "Public client" if it has none.',
      });
    const entry: Raw = {
      ...withoutSecret(fields),
      id,
      ...(secret === undefined ? {} : { clientSecret: secret }),
    };
    const list: Raw[] = replacing
      ? current.map((p) => (p.id === id ? entry : (p as unknown as Raw)))
      : [...(current as unknown as Raw[]), entry];
    // Every confidential provider's secret goes to the store: ones from the config file too, since
    // the saved list replaces the file's from now on.
    const secrets = list
      .filter((p) => typeof p.clientSecret === 'string')
      .map((p): [SecretName, string] => [oidcSecret(String(p.id)), p.clientSecret as string]);
    return { list, secrets };
  }

  r.post('/hub/ui/api/settings/providers/oidc', json, async (req, res) => {
    const auth = admin(req, res);
    const body = withoutBlanks(bodyObject(req));
    const id = body.id;
    if (typeof id !== 'string')
      throw invalid({ 'oidc.id': 'Give the provider a short id, such as keycloak.' });
    if (ctx.config.auth.oidc.some((p) => p.id === id))
      throw invalid({ 'oidc.id': `There is already a provider with the id "${id}"; choose another.` });
    const { list, secrets } = oidcList(body, id, false);
    await change(auth, `added the OpenID provider "${id}"`, { oidc: list }, secrets);
    res.status(201);
    answer(res);
  });

  r.put('/hub/ui/api/settings/providers/oidc/:id', json, async (req, res) => {
    const auth = admin(req, res);
    const id = String(req.params.id);
    if (!ctx.config.auth.oidc.some((p) => p.id === id))
      throw new HubError(404, 'no-such-provider', `There is no OpenID provider with the id "${id}".`);
    const body = withoutBlanks(bodyObject(req));
    if (body.id !== undefined && body.id !== id)
      throw invalid({
        'oidc.id': 'The id is part of the callback URL and cannot change; add a new provider instead.',
      });
    const { list, secrets } = oidcList(body, id, true);
    await change(auth, `changed the OpenID provider "${id}"`, { oidc: list }, secrets);
    answer(res);
  });

  r.delete('/hub/ui/api/settings/providers/oidc/:id', async (req, res) => {
    const auth = admin(req, res);
    const id = String(req.params.id);
    const current = ctx.config.auth.oidc;
    if (!current.some((p) => p.id === id))
      throw new HubError(404, 'no-such-provider', `There is no OpenID provider with the id "${id}".`);
    const list = current.filter((p) => p.id !== id) as unknown as Raw[];
    await change(auth, `removed the OpenID provider "${id}"`, { oidc: list }, []);
    answer(res);
  });

  return r;
}
