import { type NextFunction, type Request, type Response, Router } from 'express';
import { bodyObject, caller, jsonBody, needScope } from '../api/common.js';
import { someSignInMethod } from '../auth/providers.js';
import { AuthStore } from '../auth/auth-store.js';
import { teammateHosts } from '../auth/settings-routes.js';
import { githubApiUrlFor } from '../config/schema.js';
import type { HubContext } from '../context.js';
import { HubError, describeError } from '../errors.js';
import type { Auth as Caller } from '../http/auth-context.js';
import type { SecretName, SecretStore } from '../secrets.js';
import {
  type AuthConfig,
  CONFIDENTIAL,
  endPasswordsForNow,
  GITHUB_SECRET,
  MAX_OIDC,
  PLACEHOLDER_SECRET,
  type ProvidersOff,
  type Raw,
  oidcSecret,
  savedOidc,
  useProviders,
  validated,
  withoutSecret,
} from './saved-providers.js';
import { type SettingsPatch, saveSettings } from './settings-file.js';
import { invalid, noSignInLeft } from './settings.js';

/** What the settings form shows: every field but the secrets, providers that are off, callback bases. */
export function providerSettingsView(ctx: HubContext) {
  const auth = ctx.config.auth;
  const off = ctx.providersOff;
  const port = ctx.lan.state().port ?? ctx.config.port;
  const github = auth.github
    ? { ...withoutSecret(auth.github), secretSaved: true, off: null }
    : off.github
      ? { ...withoutSecret(off.github.saved), secretSaved: !!off.github.secret, off: off.github.problem }
      : null;
  return {
    github,
    oidc: [
      ...auth.oidc.map((p) => ({
        ...withoutSecret(p),
        confidential: !!p.clientSecret,
        secretSaved: !!p.clientSecret,
        off: null,
      })),
      ...off.oidc.map((o) => ({
        ...withoutSecret(o.saved),
        confidential: !!o.saved[CONFIDENTIAL],
        secretSaved: !!o.secret,
        off: o.problem,
      })),
    ],
    // Callback URLs the form shows while an id or address is typed: this hub's, then the teammates'.
    callbackBases: [`http://localhost:${port}`, ...teammateHosts(ctx).map((h) => `http://${h}`)],
    problems: off.other,
  };
}

const VIEW_ONLY = new Set(['secretSaved', 'off', CONFIDENTIAL]);

/**
 * A form's fields over the provider's current ones: fields left out are kept (so a form that does
 * not show one never drops it), empty or null ones are cleared (their defaults apply).
 */
function mergedFields(base: Raw, body: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(body)) {
    // What GET adds for the screen: a GET answer sent back as it is stays valid.
    if (VIEW_ONLY.has(k)) continue;
    const value = typeof v === 'string' ? v.trim() : v;
    if (value === '' || value === null) delete out[k];
    else out[k] = value;
  }
  return out;
}

/** A typed secret; blank means "keep the saved one". Anything but text is a field error. */
function typedSecret(value: unknown, field: string, extra: Record<string, string>): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    extra[field] = 'expected the client secret as text';
    return undefined;
  }
  return value.trim() || undefined;
}

/** Secret-store writes, undone when the settings file cannot be written after them. */
async function withSecrets(store: SecretStore, set: [SecretName, string][], save: () => void): Promise<void> {
  const before = new Map<SecretName, string | undefined>();
  try {
    for (const [name, value] of set) {
      before.set(name, await store.get(name).catch(() => undefined));
      await store.set(name, value);
    }
  } catch (err) {
    await restore(store, before);
    const fix =
      store.kind === 'file'
        ? `Check that ${store.description.split(' (')[0]} can be written, then save again.`
        : 'Unlock the OS keychain (or start the hub with TEAMHUB_SECRET_STORE=file), then save again.';
    throw new HubError(
      503,
      'secret-store',
      `The client secret could not be saved in ${store.description}, so nothing changed.`,
      {
        evidence: [describeError(err)],
        fix,
      },
    );
  }
  try {
    save();
  } catch (err) {
    await restore(store, before);
    throw err;
  }
}

async function restore(store: SecretStore, before: Map<SecretName, string | undefined>): Promise<void> {
  for (const [name, value] of before) {
    await (value === undefined ? store.delete(name) : store.set(name, value)).catch(() => undefined);
  }
}

interface Change {
  /** The sign-in settings after the change, validated. */
  auth: AuthConfig;
  /** What settings.json gets (per kind: github, oidc). */
  saved: NonNullable<SettingsPatch['providers']>;
  off: ProvidersOff;
  set: [SecretName, string][];
  forget: SecretName[];
  what: string;
  provider: string;
  fields: string[];
  /** The provider's accounts may now be other people's (removed, or another issuer or server). */
  forgetAccounts?: boolean;
}

/**
 * The settings screen's sign-in providers: GitHub (PUT/DELETE) and OpenID Connect (POST to add,
 * PUT/DELETE by id). Applied at once and saved in settings.json; client secrets go to the secret store.
 */
export function providerSettingsRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = jsonBody('64kb');
  const admin = (req: Request, res: Response): Caller => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin-ui', 'admin:users']);
    return auth;
  };
  // Checked before the body is read: others get 403, not a verdict on their JSON.
  const adminFirst = (req: Request, res: Response, next: NextFunction) => {
    admin(req, res);
    next();
  };
  // One change at a time: each starts from the state the previous one left (secret stores answer
  // asynchronously, so two saves could otherwise interleave and lose one).
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime =
    (handler: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) => {
      const run = queue.then(() => handler(req, res));
      queue = run.catch(() => undefined);
      return run;
    };

  async function commit(auth: Caller, c: Change): Promise<void> {
    // Password accounts that are on only for now do not count: after a restart they would be off.
    const saved = ctx.passwordsForNow ? { ...c.auth, local: { ...c.auth.local, enabled: false } } : c.auth;
    if (!someSignInMethod(saved)) throw noSignInLeft();
    await withSecrets(ctx.secretStore, c.set, () => saveSettings(ctx.config.dataDir, { providers: c.saved }));
    for (const name of c.forget) await ctx.secretStore.delete(name).catch(() => undefined);
    if (c.forgetAccounts) new AuthStore(ctx.store.db).forgetProvider(c.provider);
    useProviders(ctx, saved, c.off);
    endPasswordsForNow(ctx);
    ctx.events.record({
      level: 'info',
      kind: 'settings',
      user_name: auth.user.name,
      message: `${auth.user.name} ${c.what}.`,
      details: { provider: c.provider, fields: c.fields },
    });
  }

  const answer = (res: Response) => res.json(providerSettingsView(ctx));
  const offWithoutGithub = (): ProvidersOff => ({ ...ctx.providersOff, github: undefined });
  const offWithout = (id: string): ProvidersOff => ({
    ...ctx.providersOff,
    oidc: ctx.providersOff.oidc.filter((o) => o.saved.id !== id),
  });
  /** The OpenID list for settings.json: the ones on, then those off, as saved. */
  const savedList = (checked: AuthConfig, off: ProvidersOff) => ({
    oidc: [...savedOidc(checked.oidc), ...off.oidc.map((o) => o.saved)],
  });
  const fieldNames = (body: Raw) => Object.keys(body).filter((k) => k !== 'clientSecret');

  r.get('/hub/ui/api/settings/providers', (req, res) => {
    admin(req, res);
    answer(res);
  });

  r.put(
    '/hub/ui/api/settings/providers/github',
    adminFirst,
    json,
    oneAtATime(async (req, res) => {
      const auth = admin(req, res);
      const active = ctx.config.auth.github;
      const offGithub = ctx.providersOff.github;
      const { clientSecret: sent, ...fields } = bodyObject(req);
      const extra: Record<string, string> = {};
      const secret =
        typedSecret(sent, 'github.clientSecret', extra) ?? active?.clientSecret ?? offGithub?.secret;
      if (!secret && !extra['github.clientSecret'])
        extra['github.clientSecret'] =
          'Paste the client secret from the OAuth app page at GitHub ("Generate a new client secret")';
      const base = active ? withoutSecret(active) : offGithub ? withoutSecret(offGithub.saved) : {};
      const merged = mergedFields(base, fields);
      const apiUrl = merged.apiUrl === undefined ? githubApiUrlFor(merged.url) : undefined;
      if (apiUrl) merged.apiUrl = apiUrl;
      const github = { ...merged, clientSecret: secret ?? PLACEHOLDER_SECRET };
      const checked = validated(ctx.config, github, undefined, extra);
      const server = active?.url ?? (offGithub?.saved.url as string | undefined) ?? 'https://github.com';
      await commit(auth, {
        forgetAccounts: checked.github?.url !== server,
        auth: checked,
        saved: { github: withoutSecret(checked.github ?? {}) },
        off: offWithoutGithub(),
        set: [[GITHUB_SECRET, secret as string]],
        forget: [],
        what: active ? 'changed GitHub sign-in' : 'set up GitHub sign-in',
        provider: 'github',
        fields: fieldNames(fields),
      });
      answer(res);
    }),
  );

  r.delete(
    '/hub/ui/api/settings/providers/github',
    oneAtATime(async (req, res) => {
      const auth = admin(req, res);
      if (!ctx.config.auth.github && !ctx.providersOff.github)
        throw new HubError(404, 'no-such-provider', 'GitHub sign-in is not set up.');
      await commit(auth, {
        auth: validated(ctx.config, null, undefined),
        saved: { github: null },
        off: offWithoutGithub(),
        set: [],
        forget: [GITHUB_SECRET],
        forgetAccounts: true,
        what: 'turned GitHub sign-in off',
        provider: 'github',
        fields: [],
      });
      answer(res);
    }),
  );

  /** The OpenID change for a form: this provider added or replaced, the others (and those off) kept. */
  function oidcChange(body: Raw, id: string, adding: boolean, idProblem?: string): Change {
    const active = ctx.config.auth.oidc;
    const existing = active.find((p) => p.id === id);
    const offEntry = ctx.providersOff.oidc.find((o) => o.saved.id === id);
    const { clientSecret: sent, publicClient, id: _id, ...fields } = body;
    const extra: Record<string, string> = idProblem ? { 'oidc.id': idProblem } : {};
    if (publicClient !== undefined && typeof publicClient !== 'boolean')
      extra['oidc.publicClient'] = 'expected true or false';
    const typed = typedSecret(sent, 'oidc.clientSecret', extra);
    if (publicClient === true && typed)
      extra['oidc.clientSecret'] = 'A public client has no secret: leave it empty, or untick "Public client"';
    const secret = publicClient === true ? undefined : (typed ?? existing?.clientSecret ?? offEntry?.secret);
    // A form that says "not public", or a confidential provider that is off, must come with its secret.
    const needsSecret = publicClient === false || (!!offEntry?.saved[CONFIDENTIAL] && publicClient !== true);
    if (needsSecret && !secret && !extra['oidc.clientSecret'])
      extra['oidc.clientSecret'] =
        'Paste the client secret from the provider, or tick "Public client" if it has none';
    const base = existing ? withoutSecret(existing) : offEntry ? withoutSecret(offEntry.saved) : {};
    const entry: Raw = { ...mergedFields(base, fields), id, ...(secret ? { clientSecret: secret } : {}) };
    const list: Raw[] = active.map((p) => (p.id === id ? entry : (p as unknown as Raw)));
    if (!existing) list.push(entry);
    // Said alone: the config rules would also name the list's length under a field the form lacks.
    if (list.length > MAX_OIDC)
      throw invalid({ oidc: `At most ${MAX_OIDC} OpenID providers can be on; turn another off first` });
    const checked = validated(ctx.config, undefined, list, extra);
    const off = offWithout(id);
    const issuer = existing?.issuer ?? offEntry?.saved.issuer;
    return {
      forgetAccounts: issuer !== undefined && checked.oidc.find((p) => p.id === id)?.issuer !== issuer,
      auth: checked,
      saved: savedList(checked, off),
      off,
      // Every confidential provider's secret goes to the store under the Settings entries: ones
      // from the config file too, since the saved list replaces the file's from now on.
      set: checked.oidc.flatMap((p) => (p.clientSecret ? [[oidcSecret(p.id), p.clientSecret]] : [])) as [
        SecretName,
        string,
      ][],
      forget: secret ? [] : [oidcSecret(id)],
      what: adding ? `added the OpenID provider "${id}"` : `changed the OpenID provider "${id}"`,
      provider: `oidc:${id}`,
      fields: fieldNames(fields),
    };
  }

  const known = (id: string) =>
    ctx.config.auth.oidc.some((p) => p.id === id) || ctx.providersOff.oidc.some((o) => o.saved.id === id);
  const noSuchProvider = (id: string) =>
    new HubError(404, 'no-such-provider', `There is no OpenID provider with the id "${id}".`);

  r.post(
    '/hub/ui/api/settings/providers/oidc',
    adminFirst,
    json,
    oneAtATime(async (req, res) => {
      const auth = admin(req, res);
      const body = bodyObject(req);
      const id = typeof body.id === 'string' ? body.id.trim() : '';
      // A missing or taken id is answered together with the other fields' problems.
      if (!id) oidcChange(body, 'new-provider', true, 'Give the provider a short id, such as keycloak');
      if (ctx.config.auth.oidc.length + ctx.providersOff.oidc.length >= MAX_OIDC)
        throw invalid({
          oidc: `At most ${MAX_OIDC} OpenID providers can be set up (counting those that are off)`,
        });
      if (known(id))
        oidcChange(body, id, true, `There is already a provider with the id "${id}"; choose another`);
      await commit(auth, oidcChange(body, id, true));
      res.status(201);
      answer(res);
    }),
  );

  r.put(
    '/hub/ui/api/settings/providers/oidc/:id',
    adminFirst,
    json,
    oneAtATime(async (req, res) => {
      const auth = admin(req, res);
      const id = String(req.params.id);
      if (!known(id)) throw noSuchProvider(id);
      const body = bodyObject(req);
      if (body.id !== undefined && body.id !== id)
        throw invalid({
          'oidc.id': 'The id is part of the callback URL and cannot change; add a new provider instead',
        });
      await commit(auth, oidcChange(body, id, false));
      answer(res);
    }),
  );

  r.delete(
    '/hub/ui/api/settings/providers/oidc/:id',
    oneAtATime(async (req, res) => {
      const auth = admin(req, res);
      const id = String(req.params.id);
      if (!known(id)) throw noSuchProvider(id);
      const list = ctx.config.auth.oidc.filter((p) => p.id !== id) as unknown as Raw[];
      const checked = validated(ctx.config, undefined, list);
      const off = offWithout(id);
      await commit(auth, {
        auth: checked,
        saved: savedList(checked, off),
        off,
        set: [],
        forget: [oidcSecret(id)],
        forgetAccounts: true,
        what: `removed the OpenID provider "${id}"`,
        provider: `oidc:${id}`,
        fields: [],
      });
      answer(res);
    }),
  );

  return r;
}
