import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../src/tokens.js';
import { GithubProvider } from '../../e2e/fixtures/github-provider.js';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { OidcTestProvider } from '../../e2e/fixtures/oidc-provider.js';
import { type TestHub, freePort, startTestHub } from '../../e2e/fixtures/test-hub.js';

// Sessions: logout revokes the OAuth tokens single-user servers got for that browser session, and
// auth refresh signs out users who lost the membership that let them in (GitHub org, OpenID group).
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

/** Polls until the client's session is gone (the refresher runs on its own timer). */
async function signedOut(client: Browserless, timeoutMs = 8000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const home = await client.request('/hub/home');
    if (home.status === 302) return (await client.request(home.headers.get('location') ?? '')).text();
    await home.arrayBuffer();
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the session was not ended');
}

describe('sessions', () => {
  it('logout clears the session and revokes the OAuth tokens a server got for that browser session only', async () => {
    const gh = { clientId: 'Ov23liSessions', clientSecret: 'sessions-secret' };
    const provider = await new GithubProvider({ ...gh, callbackUrl: 'later' }).start();
    const th: TestHub = await startTestHub({
      auth: { github: { ...gh, url: provider.url, apiUrl: provider.apiUrl }, allowedUsers: ['hana'] },
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    cleanup.push(async () => {
      await th.stop();
      await provider.stop();
    });
    provider.options.callbackUrl = `${th.base}/hub/oauth_callback`;
    const store = th.hub.context.store;
    const hana = store.ensureUser('hana');
    store.upsertOAuthClient({
      id: 'jupyterhub-user-hana',
      secret_hash: hashToken('server-secret-hana', 16384),
      redirect_uri: '/user/hana/oauth_callback',
      description: 'test server',
      user_id: hana.id,
      server_name: '',
    });
    const browserSession = async () => {
      const client = new Browserless(th.base);
      const start = await client.request('/hub/oauth_login');
      await client.request(provider.approve(start.headers.get('location') ?? '', 'hana'));
      const auth = await client.request(
        '/hub/api/oauth2/authorize?client_id=jupyterhub-user-hana&redirect_uri=%2Fuser%2Fhana%2Foauth_callback&response_type=code&state=s',
      );
      const code = new URL(auth.headers.get('location') ?? '', th.base).searchParams.get('code') ?? '';
      const tokenRes = await fetch(`${th.base}/hub/api/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: 'jupyterhub-user-hana',
          client_secret: 'server-secret-hana',
          grant_type: 'authorization_code',
          code,
          redirect_uri: '/user/hana/oauth_callback',
        }).toString(),
      });
      const { access_token } = (await tokenRes.json()) as { access_token: string };
      return { client, token: access_token };
    };
    const who = (token: string) =>
      fetch(`${th.base}/hub/api/user`, { headers: { authorization: `token ${token}` } }).then(
        (r) => r.status,
      );
    const laptop = await browserSession();
    const phone = await browserSession();
    expect(await who(laptop.token)).toBe(200);
    expect(await who(phone.token)).toBe(200);
    const out = await laptop.client.request('/hub/logout');
    expect(await out.text()).toContain('You are signed out.');
    expect(laptop.client.cookie('teamhub-session')).toBeUndefined();
    expect(await who(laptop.token)).toBe(403);
    expect(await who(phone.token)).toBe(200);
    expect((await phone.client.request('/hub/home')).status).toBe(200);
  });

  it('auth refresh: a GitHub user removed from the organization is signed out with the reason', async () => {
    const gh = { clientId: 'Ov23liRefresh', clientSecret: 'refresh-secret' };
    const orgs = { 'acme-lab': { privateMembers: ['frank', 'gwen'] } };
    const provider = await new GithubProvider({ ...gh, callbackUrl: 'later', orgs }).start();
    const th: TestHub = await startTestHub({
      auth: {
        github: { ...gh, url: provider.url, apiUrl: provider.apiUrl, allowedOrganizations: ['acme-lab'] },
        refreshIntervalSeconds: 1,
      },
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    cleanup.push(async () => {
      await th.stop();
      await provider.stop();
    });
    provider.options.callbackUrl = `${th.base}/hub/oauth_callback`;
    const signIn = async (login: string) => {
      const client = new Browserless(th.base);
      const start = await client.request('/hub/oauth_login');
      expect(
        (await client.request(provider.approve(start.headers.get('location') ?? '', login))).status,
      ).toBe(302);
      return client;
    };
    const frank = await signIn('frank');
    const gwen = await signIn('gwen');
    // The GitHub tokens kept for these checks are sealed in the database file, never plain.
    const raw = th.hub.context.store.db.prepare('SELECT auth_state FROM sessions').all() as {
      auth_state: string;
    }[];
    expect(raw).toHaveLength(2);
    for (const r of raw) {
      expect(r.auth_state).toMatch(/^v1:/);
      expect(r.auth_state).not.toContain('gho_');
    }
    orgs['acme-lab'].privateMembers = ['gwen'];
    const page = await signedOut(frank);
    expect(page).toContain(
      'You were signed out: GitHub no longer shows &quot;frank&quot; as a member of acme-lab',
    );
    expect((await gwen.request('/hub/home')).status).toBe(200);
    const event = th.hub.context.store.listEvents(20).find((e) => e.kind === 'session-ended');
    expect(event?.user_name).toBe('frank');
  });

  it('auth refresh: an OpenID user who left the allowed group is signed out; admin group changes apply', async () => {
    const port = await freePort();
    const oidc = await new OidcTestProvider({
      clientId: 'teamhub-refresh',
      clientSecret: 'refresh-oidc-secret',
      redirectUris: [`http://localhost:${port}/hub/oidc/sso/callback`],
      accounts: { ivy: { groups: ['staff', 'hub-admins'] }, jon: { groups: ['staff'] } },
    }).start();
    const th: TestHub = await startTestHub({
      port,
      auth: {
        oidc: [
          {
            id: 'sso',
            displayName: 'Team SSO',
            issuer: oidc.issuer,
            clientId: 'teamhub-refresh',
            clientSecret: 'refresh-oidc-secret',
            scopes: ['openid', 'profile', 'groups', 'offline_access'],
            allowedGroups: ['staff'],
            adminGroups: ['hub-admins'],
          },
        ],
        refreshIntervalSeconds: 1,
      },
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    cleanup.push(async () => {
      await th.stop();
      await oidc.stop();
    });
    const signIn = async (login: string) => {
      const client = new Browserless(th.base);
      const start = await client.request('/hub/oidc/sso/login');
      expect(
        (await client.request(await oidc.approve(start.headers.get('location') ?? '', login))).status,
      ).toBe(302);
      return client;
    };
    const ivy = await signIn('ivy');
    const jon = await signIn('jon');
    expect(th.hub.context.store.getUser('ivy')?.admin).toBe(true);
    oidc.accounts.ivy = { groups: ['staff'] };
    oidc.accounts.jon = { groups: ['alumni'] };
    const page = await signedOut(jon);
    expect(page).toContain('You were signed out: Team SSO says you are not a member of any allowed group');
    expect(page).toContain('your groups: &quot;alumni&quot;');
    expect((await ivy.request('/hub/home')).status).toBe(200);
    expect(th.hub.context.store.getUser('ivy')?.admin).toBe(false);
  });
});
