import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GithubProvider } from '../../e2e/fixtures/github-provider.js';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { type TestHub, freePort, startTestHub } from '../../e2e/fixtures/test-hub.js';

// GitHub sign-in against a GitHub-shaped provider on loopback, with Docker out of the picture.
const CLIENT = { clientId: 'Ov23liTestClient01', clientSecret: 'test-secret-value' };

let provider: GithubProvider;
let th: TestHub;

beforeAll(async () => {
  provider = await new GithubProvider({ ...CLIENT, callbackUrl: 'set-below', defaultLogin: 'alice' }).start();
  th = await startTestHub({
    auth: {
      github: { ...CLIENT, url: provider.url, apiUrl: provider.apiUrl },
      allowedUsers: ['alice'],
      adminUsers: ['boss'],
    },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
  provider.options.callbackUrl = `${th.base}/hub/oauth_callback`;
});
afterAll(async () => {
  await th?.stop();
  await provider?.stop();
});
afterEach(() => {
  provider.tokenMode = 'normal';
});

/** Clicks "Sign in with GitHub" and approves at the provider; returns the hub's answer to the callback. */
async function signIn(client: Browserless, login: string): Promise<Response> {
  const start = await client.request('/hub/oauth_login?next=%2Fhub%2Fhome');
  expect(start.status).toBe(302);
  const authorize = start.headers.get('location') ?? '';
  expect(authorize.startsWith(`${provider.url}/login/oauth/authorize?`)).toBe(true);
  return client.request(provider.approve(authorize, login));
}

describe('GitHub sign-in', () => {
  it('sends client id, exact callback, state and PKCE to the provider', async () => {
    const client = new Browserless(th.base);
    const start = await client.request('/hub/oauth_login');
    const u = new URL(start.headers.get('location') ?? '');
    expect(u.searchParams.get('client_id')).toBe(CLIENT.clientId);
    expect(u.searchParams.get('redirect_uri')).toBe(`${th.base}/hub/oauth_callback`);
    expect(u.searchParams.get('state')?.length).toBeGreaterThan(20);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(client.cookie('teamhub-oauth-state')).toBeTruthy();
  });

  it('F01 (c): a normal exchange signs the user in', async () => {
    const client = new Browserless(th.base);
    const res = await signIn(client, 'alice');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/hub/home');
    expect(client.cookie('teamhub-session')).toBeTruthy();
    const me = await client.request('/hub/ui/api/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { name: 'alice', admin: false } });
    const exchange = provider.requests.filter((r) => r.path === '/login/oauth/access_token').at(-1);
    expect(exchange?.headers.accept).toContain('application/json');
    expect(new URLSearchParams(exchange?.body).get('code_verifier')).toBeTruthy();
  });

  it('F01 (a): the provider closing the connection gives a 502 page, no user, no session', async () => {
    provider.tokenMode = 'close-connection';
    const client = new Browserless(th.base);
    const res = await signIn(client, 'dropped');
    expect(res.status).toBe(502);
    const page = await res.text();
    expect(page).toContain('The token exchange with GitHub failed');
    expect(page).toContain('Try again');
    expect(page).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(client.cookie('teamhub-session')).toBeUndefined();
    expect(th.hub.context.store.getUser('dropped')).toBeUndefined();
    const event = th.hub.context.store.listEvents(5).find((e) => e.kind === 'login-failed');
    expect(JSON.stringify(event?.details)).toContain(`${provider.url}/login/oauth/access_token`);
    // The hub keeps serving, and the one-time code went to the provider once and to no log.
    expect((await fetch(`${th.base}/hub/api`)).status).toBe(200);
    const codes = provider.requests.filter((r) => r.path === '/login/oauth/access_token');
    const code = new URLSearchParams(codes.at(-1)?.body).get('code') ?? 'none';
    expect(codes.filter((r) => r.body.includes(code))).toHaveLength(1);
    expect(th.logs.join('\n')).not.toContain(code);
  });

  it('F01 (b): HTTP 200 with bad_verification_code gives a 400 page naming the error', async () => {
    provider.tokenMode = 'bad-verification-code';
    const client = new Browserless(th.base);
    const res = await signIn(client, 'badcode');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('bad_verification_code');
    expect(client.cookie('teamhub-session')).toBeUndefined();
    expect(th.hub.context.store.getUser('badcode')).toBeUndefined();
  });

  it('F02 (B): redirect_uri_mismatch is a 400 that shows the exact redirect URI to register', async () => {
    const client = new Browserless(th.base);
    const start = await client.request('/hub/oauth_login');
    const authorize = new URL(start.headers.get('location') ?? '');
    authorize.searchParams.set('redirect_uri', 'http://elsewhere.invalid/cb');
    const res = await client.request(provider.approve(authorize.href));
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('redirect_uri_mismatch');
    expect(page).toContain(`${th.base}/hub/oauth_callback`);
  });

  it('F02 (C): a callback without code or error is a 400 "callback without authorization code"', async () => {
    const res = await fetch(`${th.base}/hub/oauth_callback`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('callback without authorization code');
  });

  it('rejects a callback without state, with a wrong state, or from another browser', async () => {
    const client = new Browserless(th.base);
    const start = await client.request('/hub/oauth_login');
    const callback = new URL(provider.approve(start.headers.get('location') ?? ''));
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    expect((await client.request(noState.href)).status).toBe(400);

    const client2 = new Browserless(th.base);
    const start2 = await client2.request('/hub/oauth_login');
    const cb2 = new URL(provider.approve(start2.headers.get('location') ?? ''));
    cb2.searchParams.set('state', 'forged');
    const wrong = await client2.request(cb2.href);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('state does not match');

    const stranger = new Browserless(th.base);
    const other = await stranger.request(callback.href);
    expect(other.status).toBe(400);
    expect(await other.text()).toContain('no sign-in in progress');
    expect(stranger.cookie('teamhub-session')).toBeUndefined();
  });

  it('refuses a GitHub user no rule allows, with a 403 naming login, rule and whom to ask', async () => {
    const client = new Browserless(th.base);
    const res = await signIn(client, 'Carol');
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain('You signed in at GitHub as &quot;Carol&quot;');
    expect(page).toContain('auth.allowedUsers');
    expect(page).toContain('boss');
    expect(th.hub.context.store.getUser('carol')).toBeUndefined();
  });

  it('signs an admin in from the admin list alone', async () => {
    const client = new Browserless(th.base);
    expect((await signIn(client, 'Boss')).status).toBe(302);
    expect(th.hub.context.store.getUser('boss')?.admin).toBe(true);
  });

  it('logout ends the session', async () => {
    const client = new Browserless(th.base);
    await signIn(client, 'alice');
    expect((await client.request('/hub/ui/api/me')).status).toBe(200);
    await client.request('/hub/logout');
    expect((await client.request('/hub/ui/api/me')).status).toBe(401);
    const after = await client.request('/hub/home');
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toContain('/hub/login');
  });
});

describe('a hub with no sign-in method configured', () => {
  it('offers password accounts, with the first-run link for the owner on this computer', async () => {
    const hub = await startTestHub({ docker: { socketPath: '/nonexistent/docker.sock' } });
    try {
      const page = await (await fetch(`${hub.base}/hub/login`)).text();
      expect(page).toContain('id="login-local"');
      expect(page).toContain('id="setup-link"');
      expect(page).not.toContain('No sign-in method is ready');
    } finally {
      await hub.stop();
    }
  });
});

describe('F02 (A): no usable GitHub client id', () => {
  it('shows the problem on the sign-in page and never redirects to GitHub', async () => {
    const hub = await startTestHub({
      auth: { local: { enabled: false } },
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    try {
      const login = await fetch(`${hub.base}/hub/login`);
      const page = await login.text();
      expect(page).not.toContain('id="login-github"');
      expect(page).toContain('GitHub sign-in is not configured');
      const go = await fetch(`${hub.base}/hub/oauth_login`, { redirect: 'manual' });
      expect(go.status).toBe(503);
      expect(go.headers.get('location')).toBeNull();
    } finally {
      await hub.stop();
    }
  });
});

describe('startup problems', () => {
  it('a taken port is one sentence naming the port and the flag', async () => {
    const port = await freePort();
    const first = await startTestHub({ port, docker: { socketPath: '/nonexistent/docker.sock' } });
    try {
      await expect(
        startTestHub({ port, docker: { socketPath: '/nonexistent/docker.sock' } }),
      ).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use: choose another with --port N (or TEAMHUB_PORT).`,
      );
    } finally {
      await first.stop();
    }
  });
});

describe('hostile input around sessions', () => {
  it('a non-ASCII XSRF value of the right length is a 403, not a crash', async () => {
    const client = new Browserless(th.base);
    await signIn(client, 'alice');
    const res = await client.request('/hub/api/users/alice/server', {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ _xsrf: 'é'.repeat(43) }),
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('XSRF');
  });

  it('the OAuth token endpoint answers invalid_client to HTTP Basic with a wrong secret', async () => {
    const res = await fetch(`${th.base}/hub/api/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('jupyterhub-user-alice:wrong').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=authorization_code&code=x&redirect_uri=%2Fuser%2Falice%2Foauth_callback',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_client' });
  });

  it('a second hub on the same data folder is refused with one sentence', async () => {
    await expect(
      startTestHub({ dataDir: th.dataDir, docker: { socketPath: '/nonexistent/docker.sock' } }),
    ).rejects.toThrow(
      `Another TeamHub (process ${process.pid}) is already using the data folder ${th.dataDir}.`,
    );
  });
});

describe('sign-in edge cases', () => {
  it('starting at 127.0.0.1 moves the browser to the callback host first, so the state cookie is found', async () => {
    const res = await fetch(`http://127.0.0.1:${th.port}/hub/oauth_login?next=%2Fhub%2Fhome`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${th.base}/hub/oauth_login?next=%2Fhub%2Fhome`);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('a callback with an unexpected iss, or repeated parameters, is a 400', async () => {
    const client = new Browserless(th.base);
    const start = await client.request('/hub/oauth_login');
    const callback = new URL(provider.approve(start.headers.get('location') ?? ''));
    callback.searchParams.set('iss', 'http://evil.invalid');
    const iss = await client.request(callback.href);
    expect(iss.status).toBe(400);
    expect(client.cookie('teamhub-session')).toBeUndefined();
    const dup = await client.request(`/hub/oauth_callback?code=a&code=b&state=s`);
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain('more than one &quot;code&quot; parameter');
  });

  it.each(['..', '-x', 'a'.repeat(101), 'a b', '<script>'])(
    'refuses the provider login %j with a 403 naming it',
    async (login) => {
      const client = new Browserless(th.base);
      const res = await signIn(client, login);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('which this hub cannot use');
      expect(th.hub.context.store.getUser(login.toLowerCase())).toBeUndefined();
    },
  );
});
