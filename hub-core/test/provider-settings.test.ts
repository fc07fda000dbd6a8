import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { GithubProvider } from '../../e2e/fixtures/github-provider.js';
import { OidcTestProvider } from '../../e2e/fixtures/oidc-provider.js';
import { signInBrowserless } from '../../e2e/fixtures/sign-in.js';
import { refreshSessions } from '../src/auth/refresh.js';
import { fileSecretStore } from '../src/secret-store.js';
import type { SecretStore } from '../src/secrets.js';
import { type TestHub, freePort, startTestHub } from '../../e2e/fixtures/test-hub.js';

// Sign-in providers entered on the settings screen (GitHub and OpenID Connect): validated per field,
// used by the next sign-in with no restart, secrets kept in the secret store only, and still there
// after a restart. Real protocol peers on loopback; the Chromium run is e2e/provider-settings.test.ts.
const ADMIN = 'providers-admin-token-0123456789ab';
const ANN = 'providers-ann-token-0123456789abcd';
const GH = { clientId: 'Ov23liFromSettings', clientSecret: 'gh-secret-from-the-form' };
const OIDC_SECRET = 'oidc-secret-from-the-form';
let port: number;
let dataDir: string;
let github: GithubProvider;
let sso: OidcTestProvider;
let th: TestHub;

const settingsFor = (dir: string) => ({
  port,
  dataDir: dir,
  apiTokens: { [ADMIN]: 'boss', [ANN]: 'ann' },
  auth: { adminUsers: ['boss'] },
  docker: { socketPath: '/nonexistent/docker.sock' },
});

beforeAll(async () => {
  port = await freePort();
  github = await new GithubProvider({
    ...GH,
    callbackUrl: `http://localhost:${port}/hub/oauth_callback`,
    orgs: { acme: { members: ['gina'] } },
  }).start();
  sso = await new OidcTestProvider({
    clientId: 'teamhub-sso',
    clientSecret: OIDC_SECRET,
    redirectUris: [`http://localhost:${port}/hub/oidc/sso/callback`],
    accounts: { hana: { groups: ['lab'] }, ivan: { groups: ['visitors'] } },
  }).start();
  dataDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'teamhub-providers-'));
  th = await startTestHub(settingsFor(dataDir));
});

afterAll(async () => {
  await th?.stop();
  await github?.stop();
  await sso?.stop();
});

async function call(method: string, p: string, body?: unknown, token = ADMIN) {
  const res = await fetch(`${th.base}${p}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const storedSecrets = () =>
  JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;

const fields = (r: { json: Record<string, unknown> }) => (r.json.fields ?? {}) as Record<string, string>;

async function oidcSignIn(login: string) {
  const client = new Browserless(th.base);
  const start = await client.request('/hub/oidc/sso/login');
  if (start.status !== 302) return { client, status: start.status, page: await start.text() };
  const res = await client.request(await sso.approve(start.headers.get('location') ?? '', login));
  return { client, status: res.status, page: res.status >= 400 ? await res.text() : '' };
}

const everyFile = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile() && f !== 'secrets.json')
    .map((f) => fs.readFileSync(path.join(dir, f), 'latin1'))
    .join('\n');

describe('GitHub sign-in entered in Settings', () => {
  it('says per field what is wrong and keeps nothing from a refused form', async () => {
    const noSecret = await call('PUT', '/hub/ui/api/settings/providers/github', { clientId: GH.clientId });
    expect(noSecret.status).toBe(400);
    expect(fields(noSecret)['github.clientSecret']).toContain('client secret');
    const bad = await call('PUT', '/hub/ui/api/settings/providers/github', {
      clientId: 'has spaces',
      clientSecret: 'x',
      url: 'github.com',
      allowedOrganizations: ['acme/devs'],
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(fields(bad)).sort()).toEqual([
      'github.allowedOrganizations',
      'github.clientId',
      'github.url',
    ]);
    expect(fields(bad)['github.url']).toContain('http(s) URL');
    const typo = await call('PUT', '/hub/ui/api/settings/providers/github', { ...GH, clinetId: 'x' });
    expect(typo.status).toBe(400);
    expect(fields(typo).github).toContain('clinetId');
    // Every problem at once: the missing secret too.
    const all = await call('PUT', '/hub/ui/api/settings/providers/github', { clientId: 'a b', url: 'x' });
    expect(Object.keys(fields(all)).sort()).toEqual(['github.clientId', 'github.clientSecret', 'github.url']);
    expect(all.json.message).not.toContain('..');
    const userinfo = await call('PUT', '/hub/ui/api/settings/providers/github', {
      ...GH,
      url: 'https://user:pass@github.example.com',
    });
    expect(fields(userinfo)['github.url']).toContain('without spaces, user name, password or #fragment');
    const quoted = await call('PUT', '/hub/ui/api/settings/providers/github', { ...GH, clientSecret: '"s"' });
    expect(Object.keys(fields(quoted))).toEqual(['github.clientSecret']);
    const notText = await call('PUT', '/hub/ui/api/settings/providers/github', { ...GH, clientSecret: 42 });
    expect(fields(notText)['github.clientSecret']).toContain('as text');
    // A body that would reach the prototype, and one with a secret typed without quotes.
    const proto = await fetch(`${th.base}/hub/ui/api/settings/providers/github`, {
      method: 'PUT',
      headers: { authorization: `token ${ADMIN}`, 'content-type': 'application/json' },
      body: `{"clientId":"${GH.clientId}","__proto__":{"clientSecret":"protoSECRET"}}`,
    });
    expect(proto.status).toBe(400);
    expect(await proto.text()).toContain('the key \\"__proto__\\" is not allowed');
    const unquoted = await fetch(`${th.base}/hub/ui/api/settings/providers/github`, {
      method: 'PUT',
      headers: { authorization: `token ${ADMIN}`, 'content-type': 'application/json' },
      body: '{"clientSecret":mySECRETvalue123}',
    });
    expect(unquoted.status).toBe(400);
    expect(await unquoted.text()).not.toContain('mySECRET');
    expect((await call('DELETE', '/hub/ui/api/settings/providers/github')).status).toBe(404);
    const enterprise = await call('PUT', '/hub/ui/api/settings/providers/github', {
      ...GH,
      url: 'https://ghe.example.org',
      apiUrl: 'https://api.github.com',
    });
    expect(fields(enterprise)['github.apiUrl']).toContain('https://ghe.example.org/api/v3');
    const view = await call('GET', '/hub/ui/api/settings/providers');
    expect(view.json).toMatchObject({ github: null, callbackBases: [`http://localhost:${port}`] });
    expect(fs.existsSync(path.join(dataDir, 'settings.json'))).toBe(false);
  });

  it('is for admins only, whatever the body', async () => {
    expect((await call('GET', '/hub/ui/api/settings/providers', undefined, ANN)).status).toBe(403);
    const put = await call('PUT', '/hub/ui/api/settings/providers/github', GH, ANN);
    expect(put.status).toBe(403);
    const junk = await fetch(`${th.base}/hub/ui/api/settings/providers/github`, {
      method: 'PUT',
      headers: { authorization: `token ${ANN}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(junk.status).toBe(403);
    expect((await call('DELETE', '/hub/ui/api/settings/providers/github', undefined, ANN)).status).toBe(403);
  });

  it('works for the next sign-in with no restart; the secret is only in the secret store', async () => {
    const saved = await call('PUT', '/hub/ui/api/settings/providers/github', {
      ...GH,
      url: github.url,
      apiUrl: ` ${github.apiUrl} `,
      callbackUrl: '',
      allowedOrganizations: ['acme'],
    });
    expect(saved.status).toBe(200);
    expect(saved.json.github).toMatchObject({
      clientId: GH.clientId,
      apiUrl: github.apiUrl,
      allowedOrganizations: ['acme'],
      secretSaved: true,
    });
    expect(saved.text).not.toContain(GH.clientSecret);
    // The screen's list now shows what to register, with read:org for the organization rule.
    const listed = await call('GET', '/hub/api/auth/settings');
    expect(listed.json.providers).toContainEqual(
      expect.objectContaining({
        id: 'github',
        callbackUrls: [`http://localhost:${port}/hub/oauth_callback`],
        scopes: ['read:org'],
      }),
    );
    expect(await (await fetch(`${th.base}/hub/login`)).text()).toContain('id="login-github"');
    // gina is admitted by the organization rule entered in the form.
    const client = new Browserless(th.base);
    await signInBrowserless(client, github, 'gina');
    const me = (await (await client.request('/hub/ui/api/me')).json()) as { user: { name: string } };
    expect(me.user.name).toBe('gina');
    expect(storedSecrets()).toMatchObject({ 'settings:githubClientSecret': GH.clientSecret });
    expect(everyFile(dataDir)).not.toContain(GH.clientSecret);
    const events = await call('GET', '/hub/ui/api/events');
    expect(events.text).toContain('boss set up GitHub sign-in');
    expect(events.text).not.toContain(GH.clientSecret);
  });

  it('a blank secret keeps the saved one when other fields change', async () => {
    const r = await call('PUT', '/hub/ui/api/settings/providers/github', {
      clientId: GH.clientId,
      clientSecret: '',
      url: github.url,
      apiUrl: github.apiUrl,
      allowedOrganizations: [],
      deviceFlow: true,
    });
    expect(r.status).toBe(200);
    expect(r.json.github).toMatchObject({ allowedOrganizations: [], deviceFlow: true });
    // The token exchange still authenticates with the saved secret (the fixture checks it).
    await signInBrowserless(new Browserless(th.base), github, 'boss');
  });

  it('fields a form leaves out are kept; empty ones go back to their defaults', async () => {
    const set = await call('PUT', '/hub/ui/api/settings/providers/github', { timeoutSeconds: 30 });
    expect(set.json.github).toMatchObject({ timeoutSeconds: 30, deviceFlow: true, url: github.url });
    const form = await call('PUT', '/hub/ui/api/settings/providers/github', {
      clientId: GH.clientId,
      callbackUrl: '',
    });
    expect(form.json.github).toMatchObject({ timeoutSeconds: 30, deviceFlow: true });
    expect(form.json.github).not.toHaveProperty('callbackUrl');
  });

  it('a settings file that cannot be written is one sentence, and the secret stays as it was', async () => {
    const file = path.join(dataDir, 'settings.json');
    const before = fs.readFileSync(file, 'utf8');
    fs.rmSync(file);
    fs.mkdirSync(file);
    try {
      const r = await call('PUT', '/hub/ui/api/settings/providers/github', {
        clientSecret: 'another-secret',
      });
      expect(r.status).toBe(500);
      expect(r.json.message).toBe(`The settings could not be saved in ${file}, so nothing changed.`);
      expect(r.json.fix).toContain('writable');
      expect(storedSecrets()['settings:githubClientSecret']).toBe(GH.clientSecret);
      expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      fs.rmSync(file, { recursive: true });
      fs.writeFileSync(file, before);
    }
  });
});

describe('OpenID Connect providers entered in Settings', () => {
  const provider = () => ({
    id: 'sso',
    displayName: 'Lab SSO',
    issuer: sso.issuer,
    clientId: 'teamhub-sso',
    clientSecret: OIDC_SECRET,
    publicClient: false,
    scopes: ['openid', 'profile', 'groups'],
    allowedGroups: ['lab'],
  });

  it('refuses a bad form per field, every problem at once', async () => {
    const bad = await call('POST', '/hub/ui/api/settings/providers/oidc', {
      ...provider(),
      id: 'Not OK',
      issuer: 'http://u:p@sso.example.org',
      clientSecret: ' ',
      displayName: '\u202eevil',
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(fields(bad)).sort()).toEqual([
      'oidc.clientSecret',
      'oidc.displayName',
      'oidc.id',
      'oidc.issuer',
    ]);
    expect(fields(bad)['oidc.clientSecret']).toContain('Public client');
    const noId = await call('POST', '/hub/ui/api/settings/providers/oidc', {
      ...provider(),
      id: '',
      issuer: 'x',
    });
    expect(Object.keys(fields(noId)).sort()).toEqual(['oidc.id', 'oidc.issuer']);
    expect(fields(noId)['oidc.id']).toContain('short id');
    const invisible = await call('POST', '/hub/ui/api/settings/providers/oidc', {
      ...provider(),
      displayName: '\u3164\u2800',
      clientSecret: '“curly”',
    });
    expect(Object.keys(fields(invisible)).sort()).toEqual(['oidc.clientSecret', 'oidc.displayName']);
    const { displayName: _d, ...nameless } = provider();
    const unnamed = await call('POST', '/hub/ui/api/settings/providers/oidc', nameless);
    expect(fields(unnamed)['oidc.displayName']).toBe('required');
    const yes = await call('POST', '/hub/ui/api/settings/providers/oidc', {
      ...provider(),
      publicClient: 'yes',
    });
    expect(Object.keys(fields(yes))).toEqual(['oidc.publicClient']);
    const both = await call('POST', '/hub/ui/api/settings/providers/oidc', {
      ...provider(),
      publicClient: true,
    });
    expect(fields(both)['oidc.clientSecret']).toContain('A public client has no secret');
    expect((await call('PUT', '/hub/ui/api/settings/providers/oidc/nope', provider())).status).toBe(404);
    expect((await call('DELETE', '/hub/ui/api/settings/providers/oidc/nope')).status).toBe(404);
  });

  it('an added provider signs people in at once, with its group rule', async () => {
    const added = await call('POST', '/hub/ui/api/settings/providers/oidc', provider());
    expect(added.status).toBe(201);
    expect(added.json.oidc).toEqual([
      expect.objectContaining({ id: 'sso', displayName: 'Lab SSO', secretSaved: true }),
    ]);
    expect(added.text).not.toContain(OIDC_SECRET);
    const again = await call('POST', '/hub/ui/api/settings/providers/oidc', provider());
    expect(fields(again)['oidc.id']).toContain('already');
    expect((await oidcSignIn('hana')).status).toBe(302);
    const refused = await oidcSignIn('ivan');
    expect(refused.status).toBe(403);
    expect(refused.page).toContain('Lab SSO');
    expect(everyFile(dataDir)).not.toContain(OIDC_SECRET);
  });

  it('changes keep the id and the secret; the id cannot change', async () => {
    const moved = await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', {
      ...provider(),
      id: 'other',
    });
    expect(fields(moved)['oidc.id']).toContain('cannot change');
    const { clientSecret: _s, ...rest } = provider();
    const r = await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', {
      ...rest,
      allowedGroups: ['lab', 'visitors'],
      timeoutSeconds: 20,
    });
    expect(r.status).toBe(200);
    expect((await oidcSignIn('ivan')).status).toBe(302);
    // A form without timeoutSeconds keeps it.
    const again = await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', { displayName: 'Lab SSO' });
    expect(again.json.oidc).toEqual([expect.objectContaining({ timeoutSeconds: 20, secretSaved: true })]);
    expect(storedSecrets()['settings:oidcClientSecret:sso']).toBe(OIDC_SECRET);
  });

  it('another issuer under the same id: the accounts it signed in before are not trusted to be the same people', async () => {
    const links = () =>
      (
        th.hub.context.store.db
          .prepare("SELECT COUNT(*) AS n FROM identities WHERE provider = 'oidc:sso'")
          .get() as { n: number }
      ).n;
    expect(links()).toBeGreaterThan(0);
    const same = await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', { displayName: 'Lab SSO' });
    expect(same.status).toBe(200);
    expect(links()).toBeGreaterThan(0);
    const moved = await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', {
      issuer: `${sso.issuer}/elsewhere`,
    });
    expect(moved.status).toBe(200);
    expect(links()).toBe(0);
    expect(
      (await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', { issuer: sso.issuer })).status,
    ).toBe(200);
    expect((await oidcSignIn('hana')).status).toBe(302);
    expect(links()).toBeGreaterThan(0);
  });

  it('a public client added beside it, then removed: its entry and secret go', async () => {
    const pub = await call('POST', '/hub/ui/api/settings/providers/oidc', {
      id: 'pub',
      displayName: 'Public',
      issuer: sso.issuer,
      clientId: 'teamhub-pub',
      publicClient: true,
    });
    expect(pub.status).toBe(201);
    expect(storedSecrets()).not.toHaveProperty('settings:oidcClientSecret:pub');
    expect((await call('DELETE', '/hub/ui/api/settings/providers/oidc/pub')).status).toBe(200);
    expect((await call('GET', '/hub/ui/api/settings/providers')).json.oidc).toHaveLength(1);
  });
});

/** Stops the hub and starts another on the same data folder and port. */
async function restart(extra: Record<string, unknown> = {}): Promise<void> {
  await th.hub.stop();
  // Let fetch see the old hub's sockets close, so it does not send the next request on one of them.
  await new Promise((resolve) => setTimeout(resolve, 100));
  th = await startTestHub({ ...settingsFor(dataDir), ...extra });
}

describe('saved providers across a restart', () => {
  it("come back with their secrets from the store, and win over a config file's GitHub app", async () => {
    const fileApp = { clientId: 'Ov23liFromTheFile', clientSecret: 'file-secret' };
    await restart({ auth: { adminUsers: ['boss'], github: fileApp } });
    const view = await call('GET', '/hub/ui/api/settings/providers');
    expect(view.json).toMatchObject({
      github: { clientId: GH.clientId, deviceFlow: true, off: null },
      oidc: [{ id: 'sso', allowedGroups: ['lab', 'visitors'], off: null }],
      problems: [],
    });
    expect(th.logs.join('\n')).toContain('auth.github from the config file or environment is not used');
    const start = await fetch(`${th.base}/hub/oauth_login`, { redirect: 'manual' });
    expect(start.headers.get('location')).toContain(`client_id=${GH.clientId}`);
    await signInBrowserless(new Browserless(th.base), github, 'boss');
    expect((await oidcSignIn('hana')).status).toBe(302);
  });

  it('a lost secret leaves that provider off and says so; entering only the secret turns it on again', async () => {
    expect((await call('PATCH', '/hub/ui/api/settings', { passwords: { enabled: false } })).status).toBe(200);
    const hana = await oidcSignIn('hana');
    expect(hana.status).toBe(302);
    const file = path.join(dataDir, 'secrets.json');
    const secrets = storedSecrets();
    delete secrets['settings:githubClientSecret'];
    delete secrets['settings:oidcClientSecret:sso'];
    fs.writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
    await restart({ auth: { adminUsers: ['boss'], refreshIntervalSeconds: 1 } });
    const after = await call('GET', '/hub/ui/api/settings/providers');
    expect(after.json.github).toMatchObject({
      clientId: GH.clientId,
      secretSaved: false,
      off: expect.stringContaining('GitHub sign-in saved in Settings is off: its client secret is not in'),
    });
    expect(after.json.oidc).toEqual([
      expect.objectContaining({ id: 'sso', off: expect.stringContaining('"sso" saved in Settings is off') }),
    ]);
    // Nothing else was left to sign in with: password accounts are offered for now, and it says why.
    expect(String(after.json.problems)).toContain('Password accounts are on for now');
    const login = await (await fetch(`${th.base}/hub/login`)).text();
    expect(login).toContain('id="login-local"');
    expect(login).not.toContain('id="login-github"');
    // The settings screen shows password accounts as saved (off), so saving its form keeps them so.
    expect((await call('GET', '/hub/ui/api/settings')).json.passwords).toMatchObject({
      enabled: false,
      forNow: true,
    });
    const image = await call('PATCH', '/hub/ui/api/settings', {
      passwords: { enabled: false },
      spawner: { memLimit: '1G' },
    });
    expect(image.status).toBe(200);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).passwords.enabled).toBe(
      false,
    );
    expect(await (await fetch(`${th.base}/hub/login`)).text()).toContain('id="login-local"');
    // Turning off a provider that is off would leave no way in at the next start.
    expect((await call('DELETE', '/hub/ui/api/settings/providers/github')).status).toBe(409);
    // Someone signed in with a provider that is off stays signed in: it was not removed.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await refreshSessions(th.hub.context);
    expect((await hana.client.request('/hub/ui/api/me')).status).toBe(200);

    // Another provider that works ends "for now"; the providers that are off are kept.
    const pub = { id: 'pub', displayName: 'Public', issuer: sso.issuer, clientId: 'p', publicClient: true };
    expect((await call('POST', '/hub/ui/api/settings/providers/oidc', pub)).status).toBe(201);
    const still = await call('GET', '/hub/ui/api/settings/providers');
    expect(still.json.oidc).toEqual([
      expect.objectContaining({ id: 'pub', off: null }),
      expect.objectContaining({ id: 'sso', off: expect.any(String) }),
    ]);
    expect(still.json.github).toMatchObject({ off: expect.any(String) });
    expect(String(still.json.problems)).not.toContain('for now');
    expect(await (await fetch(`${th.base}/hub/login`)).text()).not.toContain('id="login-local"');

    // An OpenID provider that had a secret is not quietly turned into a public client.
    const noSecret = await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', { displayName: 'Lab SSO' });
    expect(Object.keys(fields(noSecret))).toEqual(['oidc.clientSecret']);
    // The secrets alone bring both back, with every other field as saved.
    const gh = await call('PUT', '/hub/ui/api/settings/providers/github', { clientSecret: GH.clientSecret });
    expect(gh.json.github).toMatchObject({ off: null, deviceFlow: true, timeoutSeconds: 30 });
    await signInBrowserless(new Browserless(th.base), github, 'boss');
    const oidc = await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', { clientSecret: OIDC_SECRET });
    expect(oidc.status).toBe(200);
    expect((await oidcSignIn('hana')).status).toBe(302);
    expect((await call('DELETE', '/hub/ui/api/settings/providers/oidc/pub')).status).toBe(200);
    expect((await call('PATCH', '/hub/ui/api/settings', { passwords: { enabled: true } })).status).toBe(200);
  });

  it('a saved provider that a hand edit made invalid is off with the field at fault; the others work', async () => {
    const file = path.join(dataDir, 'settings.json');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    // A bad value the form shows, beside ones it does not (they must not block the correction).
    saved.providers.oidc[0].issuer = 'not a url';
    saved.providers.oidc[0].timeoutSeconds = -5;
    saved.providers.oidc[0].zzz = 1;
    saved.providers.github.timeoutSeconds = 'x';
    saved.providers.github.colour = 'blue';
    fs.writeFileSync(file, JSON.stringify(saved));
    await restart();
    const view = await call('GET', '/hub/ui/api/settings/providers');
    expect(view.json.oidc).toEqual([
      expect.objectContaining({ id: 'sso', off: expect.stringContaining('oidc.issuer'), secretSaved: true }),
    ]);
    expect((view.json.oidc as { off: string }[])[0]?.off).not.toContain('timeoutSeconds');
    // A bad value the form does not show goes back to its default, and an unknown key is dropped,
    // both said; the provider stays on.
    expect(view.json.github).toMatchObject({ off: null, timeoutSeconds: 15 });
    expect(String(view.json.problems)).toContain(
      'GitHub sign-in: timeoutSeconds left out, so its default applies',
    );
    expect(String(view.json.problems)).toContain('"colour" left out (not a setting)');
    await signInBrowserless(new Browserless(th.base), github, 'boss');
    // Correcting the field through the form's API turns it back on, its secret kept.
    const fixed = await call('PUT', '/hub/ui/api/settings/providers/oidc/sso', { issuer: sso.issuer });
    expect(fixed.status).toBe(200);
    expect((await oidcSignIn('hana')).status).toBe(302);
  });
});

describe('turning providers off', () => {
  it('stops their sign-in at once, and refuses to leave no way in', async () => {
    expect((await call('DELETE', '/hub/ui/api/settings/providers/oidc/sso')).status).toBe(200);
    expect((await oidcSignIn('hana')).status).toBe(404);
    const off = await call('PATCH', '/hub/ui/api/settings', { passwords: { enabled: false } });
    expect(off.status).toBe(200);
    const last = await call('DELETE', '/hub/ui/api/settings/providers/github');
    expect(last.status).toBe(409);
    expect(last.json.message).toContain('no way to sign in');
    const start = await fetch(`${th.base}/hub/oauth_login`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    expect((await call('PATCH', '/hub/ui/api/settings', { passwords: { enabled: true } })).status).toBe(200);
    const octo = new Browserless(th.base);
    await signInBrowserless(octo, github, 'boss');
    expect((await call('DELETE', '/hub/ui/api/settings/providers/github')).status).toBe(200);
    // Those signed in with GitHub are signed out at the next check, as for a removed OpenID provider.
    th.hub.context.config.auth.refreshIntervalSeconds = 1;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await refreshSessions(th.hub.context);
    expect((await octo.request('/hub/ui/api/me')).status).toBe(401);
    expect(storedSecrets()).not.toHaveProperty('settings:githubClientSecret');
    expect(storedSecrets()).not.toHaveProperty('settings:oidcClientSecret:sso');
    const gone = await fetch(`${th.base}/hub/oauth_login`, { redirect: 'manual' });
    expect(await gone.text()).toContain('GitHub sign-in is not configured');
    // Password accounts were the last way in: they cannot be turned off now.
    const lastPasswords = await call('PATCH', '/hub/ui/api/settings', { passwords: { enabled: false } });
    expect(lastPasswords.status).toBe(409);
  });
});

describe('how many OpenID providers', () => {
  it('at most 20, counting those that are off', async () => {
    const add = (i: number) =>
      call('POST', '/hub/ui/api/settings/providers/oidc', {
        id: `p${i}`,
        displayName: `P ${i}`,
        issuer: sso.issuer,
        clientId: 'p',
        publicClient: true,
      });
    for (let i = 1; i <= 20; i++) expect((await add(i)).status).toBe(201);
    const one = await add(21);
    expect(one.status).toBe(400);
    expect(fields(one).oidc).toContain('At most 20');
    // A 21st written into the file by hand, with its secret in the store, is off at start, keeping
    // its secret; turning it on waits for room, said plainly.
    const file = path.join(dataDir, 'settings.json');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    saved.providers.oidc.push({ ...saved.providers.oidc[0], id: 'extra', confidential: true });
    fs.writeFileSync(file, JSON.stringify(saved));
    const store = path.join(dataDir, 'secrets.json');
    fs.writeFileSync(
      store,
      JSON.stringify({ ...storedSecrets(), 'settings:oidcClientSecret:extra': 'x-secret' }),
    );
    await restart();
    const view = await call('GET', '/hub/ui/api/settings/providers');
    expect((view.json.oidc as { id: string }[]).find((o) => o.id === 'extra')).toMatchObject({
      off: expect.stringContaining('at most 20'),
      secretSaved: true,
    });
    const full = await call('PUT', '/hub/ui/api/settings/providers/oidc/extra', {});
    expect(fields(full)).toEqual({ oidc: 'At most 20 OpenID providers can be on; turn another off first' });
    expect((await call('DELETE', '/hub/ui/api/settings/providers/oidc/p1')).status).toBe(200);
    expect((await call('PUT', '/hub/ui/api/settings/providers/oidc/extra', {})).status).toBe(200);
    expect((await call('DELETE', '/hub/ui/api/settings/providers/oidc/extra')).status).toBe(200);
    for (let i = 2; i <= 20; i++)
      expect((await call('DELETE', `/hub/ui/api/settings/providers/oidc/p${i}`)).status).toBe(200);
  });
});

describe('saves at the same time', () => {
  it('each lands, even with a secret store that answers slowly', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'teamhub-slow-'));
    const file = fileSecretStore(dir);
    const later = <T>(v: () => Promise<T>) =>
      new Promise<T>((resolve, reject) => setTimeout(() => v().then(resolve, reject), crypto.randomInt(30)));
    const slow: SecretStore = {
      ...file,
      get: (n) => later(() => file.get(n)),
      set: (n, v) => later(() => file.set(n, v)),
      delete: (n) => later(() => file.delete(n)),
    };
    const hub = await startTestHub({ ...settingsFor(dir), port: await freePort() }, { secretStore: slow });
    try {
      const adds = Array.from({ length: 8 }, (_, i) =>
        fetch(`${hub.base}/hub/ui/api/settings/providers/oidc`, {
          method: 'POST',
          headers: { authorization: `token ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            id: `c${i}`,
            displayName: `C ${i}`,
            issuer: sso.issuer,
            clientId: 'c',
            clientSecret: `secret-${i}`,
          }),
        }),
      );
      expect((await Promise.all(adds)).map((r) => r.status)).toEqual(Array(8).fill(201));
      const saved = JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'));
      expect(saved.providers.oidc.map((p: { id: string }) => p.id).sort()).toEqual(
        Array.from({ length: 8 }, (_, i) => `c${i}`),
      );
      for (let i = 0; i < 8; i++)
        expect(await file.get(`settings:oidcClientSecret:c${i}`)).toBe(`secret-${i}`);
    } finally {
      await hub.stop();
    }
  });
});
