import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../src/auth/auth-store.js';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { OidcTestProvider } from '../../e2e/fixtures/oidc-provider.js';
import { type TestHub, freePort, startTestHub } from '../../e2e/fixtures/test-hub.js';

// Generic OpenID Connect sign-in against a real oidc-provider on loopback (browserless; the Chromium
// run is e2e/oidc-login.test.ts). Two providers on one hub: "corp" (confidential client, groups) and
// "lab" (public client, PKCE only, claims in the ID token).
const ADMIN_TOKEN = 'oidc-admin-token-0123456789abcdef';
let corp: OidcTestProvider;
let lab: OidcTestProvider;
let th: TestHub;
let deadPort: number;

beforeAll(async () => {
  const port = await freePort();
  deadPort = await freePort();
  corp = await new OidcTestProvider({
    clientId: 'teamhub-corp',
    clientSecret: 'corp-secret-value',
    redirectUris: ['corp', 'misconfigured', 'emailclaim'].map(
      (id) => `http://localhost:${port}/hub/oidc/${id}/callback`,
    ),
    accounts: {
      alice: { groups: ['staff'], email: 'Alice.Smith@Example.org' },
      bob: { groups: ['guests'] },
      carol: { groups: ['staff', 'hub-admins'] },
      sneaky: { preferred_username: 'ali\u200bce', groups: ['staff'] },
      slashy: { preferred_username: '../etc', groups: ['staff'] },
      listy: { preferred_username: ['a', 'b'], groups: ['staff'] },
      spacey: { preferred_username: 'Dana Scully', groups: ['staff'] },
      dave: { groups: ['staff'] },
    },
  }).start();
  lab = await new OidcTestProvider({
    clientId: 'teamhub-lab',
    redirectUris: [`http://localhost:${port}/hub/oidc/lab/callback`],
    claimsInIdToken: true,
    accounts: { dave: { email: 'dave@lab.example', groups: ['lab'] } },
  }).start();
  const common = { scopes: ['openid', 'profile', 'email', 'groups'] };
  th = await startTestHub({
    port,
    apiTokens: { [ADMIN_TOKEN]: 'boss' },
    auth: {
      adminUsers: ['boss'],
      oidc: [
        {
          id: 'corp',
          displayName: 'Corp SSO',
          issuer: corp.issuer,
          clientId: 'teamhub-corp',
          clientSecret: 'corp-secret-value',
          allowedGroups: ['staff'],
          adminGroups: ['hub-admins'],
          ...common,
        },
        {
          id: 'lab',
          displayName: 'Lab Keycloak',
          issuer: lab.issuer,
          clientId: 'teamhub-lab',
          usernameClaim: 'email',
          stripEmailDomain: true,
          allowedGroups: ['lab'],
          ...common,
        },
        {
          id: 'misconfigured',
          displayName: 'Misconfigured',
          issuer: corp.issuer,
          clientId: 'teamhub-corp',
          clientSecret: 'not-the-secret',
          ...common,
        },
        {
          id: 'down',
          displayName: 'Down SSO',
          issuer: `http://127.0.0.1:${deadPort}`,
          clientId: 'x',
          ...common,
        },
        {
          id: 'emailclaim',
          displayName: 'Email claim',
          issuer: corp.issuer,
          clientId: 'teamhub-corp',
          clientSecret: 'corp-secret-value',
          usernameClaim: 'email',
          allowedGroups: ['guests'],
          ...common,
        },
      ],
    },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
}, 60_000);

afterAll(async () => {
  await th?.stop();
  await corp?.stop();
  await lab?.stop();
});

async function signIn(providerId: string, login: string, via: OidcTestProvider = corp) {
  const client = new Browserless(th.base);
  const start = await client.request(`/hub/oidc/${providerId}/login?next=%2Fhub%2Fhome`);
  const authorize = start.headers.get('location') ?? '';
  if (start.status !== 302) return { client, res: start, authorize, page: await start.text() };
  const callback = await via.approve(authorize, login);
  const res = await client.request(callback);
  return { client, res, authorize, page: res.status >= 400 ? await res.text() : '' };
}

const api = (path: string) =>
  fetch(`${th.base}${path}`, { headers: { authorization: `token ${ADMIN_TOKEN}` } });

describe('OpenID Connect sign-in', () => {
  it('sends client id, exact callback, openid scope, state, nonce and a PKCE S256 challenge', async () => {
    const client = new Browserless(th.base);
    const start = await client.request('/hub/oidc/corp/login');
    expect(start.status).toBe(302);
    const u = new URL(start.headers.get('location') ?? '');
    expect(u.origin).toBe(corp.issuer);
    expect(u.searchParams.get('client_id')).toBe('teamhub-corp');
    expect(u.searchParams.get('redirect_uri')).toBe(`${th.base}/hub/oidc/corp/callback`);
    expect(u.searchParams.get('scope')?.split(' ')).toEqual(['openid', 'profile', 'email', 'groups']);
    expect(u.searchParams.get('state')?.length).toBeGreaterThan(20);
    expect(u.searchParams.get('nonce')?.length).toBeGreaterThan(20);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('a member of an allowed group signs in; the account is bound to the provider subject', async () => {
    const { client, res } = await signIn('corp', 'alice');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/hub/home');
    const me = await client.request('/hub/ui/api/me');
    expect(await me.json()).toMatchObject({ user: { name: 'alice' } });
    const user = th.hub.context.store.getUser('alice');
    expect(user?.admin).toBe(false);
    const ids = new AuthStore(th.hub.context.store.db).identitiesOfUser(user?.id ?? -1);
    expect(ids.map((i) => [i.provider, i.subject])).toEqual([['oidc:corp', 'alice']]);
  });

  it('someone outside the allowed groups gets a 403 naming the account, the groups and whom to ask', async () => {
    const { res, page } = await signIn('corp', 'bob');
    expect(res.status).toBe(403);
    expect(page).toContain('You signed in at Corp SSO as &quot;bob&quot;');
    expect(page).toContain(
      'not a member of any allowed group (&quot;staff&quot;; your groups: &quot;guests&quot;)',
    );
    expect(page).toContain('Ask the hub&#39;s admin (boss)');
    expect(th.hub.context.store.getUser('bob')).toBeUndefined();
  });

  it('a member of an admin group is an admin', async () => {
    const { res } = await signIn('corp', 'carol');
    expect(res.status).toBe(302);
    const model = (await (await api('/hub/api/users/carol')).json()) as { admin: boolean };
    expect(model.admin).toBe(true);
  });

  it('a public client with PKCE only, claims in the ID token, e-mail claim without its domain', async () => {
    const { res } = await signIn('lab', 'dave', lab);
    expect(res.status).toBe(302);
    const user = th.hub.context.store.getUser('dave');
    expect(user).toBeDefined();
    const ids = new AuthStore(th.hub.context.store.db).identitiesOfUser(user?.id ?? -1);
    expect(ids.map((i) => [i.provider, i.login])).toEqual([['oidc:lab', 'dave@lab.example']]);
  });

  it('the same name from another provider is refused, not merged into the first account', async () => {
    const { res, page } = await signIn('corp', 'dave');
    expect(res.status).toBe(403);
    expect(page).toContain('already belongs to another account (Lab Keycloak &quot;dave@lab.example&quot;)');
  });

  it.each([
    ['sneaky', 'invisible or control characters'],
    ['slashy', 'contains &quot;/&quot;'],
    ['listy', 'it is a list, not text'],
    ['spacey', 'white space'],
  ])('hostile user name from the claim (%s) → 403 saying why', async (login, why) => {
    const { res, page } = await signIn('corp', login);
    expect(res.status).toBe(403);
    expect(page).toContain('cannot use as a user name');
    expect(page).toContain(why);
  });

  it('a missing username claim → 403 naming the claim and what was received', async () => {
    const { res, page } = await signIn('emailclaim', 'bob');
    expect(res.status).toBe(403);
    expect(page).toContain('did not send the &quot;email&quot; claim');
    expect(page).toContain('claims received:');
    expect(page).toContain('preferred_username');
  });

  it('a wrong client secret → 502 naming invalid_client and the settings to check', async () => {
    const { res, page } = await signIn('misconfigured', 'alice');
    expect(res.status).toBe(502);
    expect(page).toContain('Misconfigured refused the sign-in code (invalid_client');
    expect(page).toContain('Check the client id and secret of &quot;misconfigured&quot;');
    expect(page).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('a provider that is down → 502 before any redirect, naming the discovery URL', async () => {
    const { res, page } = await signIn('down', 'alice');
    expect(res.status).toBe(502);
    expect(page).toContain('Down SSO sign-in is not available');
    expect(page).toContain(`http://127.0.0.1:${deadPort}/.well-known/openid-configuration`);
  });

  it('an unknown provider id, a callback without code, a replayed state → clear 4xx', async () => {
    expect((await fetch(`${th.base}/hub/oidc/nope/login`, { redirect: 'manual' })).status).toBe(404);
    const noCode = await fetch(`${th.base}/hub/oidc/corp/callback?state=x`, { redirect: 'manual' });
    expect(noCode.status).toBe(400);
    expect(await noCode.text()).toContain('callback without authorization code');
    const noState = await fetch(`${th.base}/hub/oidc/corp/callback?code=abc&state=x`, { redirect: 'manual' });
    expect(noState.status).toBe(400);
    expect(await noState.text()).toContain('no sign-in in progress');
    const denied = await fetch(`${th.base}/hub/oidc/corp/callback?error=access_denied&state=x`, {
      redirect: 'manual',
    });
    expect(denied.status).toBe(400);
    expect(await denied.text()).toContain('Corp SSO refused the sign-in: access_denied');
  });

  it('GET /hub/login/options lists every provider with its login URL and no secrets', async () => {
    const res = await fetch(`${th.base}/hub/login/options`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      providers: { id: string; label: string; kind: string; loginUrl: string }[];
      localSignup: boolean;
    };
    expect(body.providers.slice(0, 2)).toEqual([
      { id: 'oidc-corp', label: 'Corp SSO', kind: 'oidc', loginUrl: '/hub/oidc/corp/login' },
      { id: 'oidc-lab', label: 'Lab Keycloak', kind: 'oidc', loginUrl: '/hub/oidc/lab/login' },
    ]);
    expect(body.localSignup).toBe(false);
    expect(JSON.stringify(body)).not.toContain('corp-secret-value');
    expect(JSON.stringify(body)).not.toContain('clientSecret');
    const page = await (await fetch(`${th.base}/hub/login`)).text();
    expect(page).toContain('id="login-oidc-corp"');
    expect(page).toContain('Sign in with Lab Keycloak');
  });
});
