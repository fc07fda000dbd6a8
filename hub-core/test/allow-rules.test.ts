import { afterEach, describe, expect, it } from 'vitest';
import { GithubProvider } from '../../e2e/fixtures/github-provider.js';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { type TestHub, startTestHub } from '../../e2e/fixtures/test-hub.js';

// Who gets in after a successful GitHub sign-in: F05 (no rule admits anyone but admins), F06 (what
// "added by an admin" means, and records that must not keep someone allowed), F07 (private org members).
const CLIENT = { clientId: 'Ov23liAllowRules', clientSecret: 'allow-secret' };
const ADMIN_TOKEN = 'allow-admin-token-0123456789abcdef';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function setup(
  auth: Record<string, unknown>,
  orgs?: GithubProvider['options']['orgs'],
  dataDir?: string,
) {
  const provider = await new GithubProvider({
    ...CLIENT,
    callbackUrl: 'later',
    ...(orgs ? { orgs } : {}),
  }).start();
  const github = {
    ...CLIENT,
    url: provider.url,
    apiUrl: provider.apiUrl,
    ...((auth.github as object) ?? {}),
  };
  const th: TestHub = await startTestHub({
    ...(dataDir ? { dataDir } : {}),
    apiTokens: { [ADMIN_TOKEN]: 'admin-gh' },
    auth: { adminUsers: ['admin-gh'], ...auth, github },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
  provider.options.callbackUrl = `${th.base}/hub/oauth_callback`;
  cleanup.push(async () => {
    await th.hub.stop();
    await provider.stop();
  });
  const signIn = async (login: string) => {
    const client = new Browserless(th.base);
    const start = await client.request('/hub/oauth_login');
    const authorize = start.headers.get('location') ?? '';
    const res = await client.request(provider.approve(authorize, login));
    return { res, authorize, page: res.status === 403 ? await res.text() : '' };
  };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${th.base}${path}`, {
      method,
      headers: { authorization: `token ${ADMIN_TOKEN}` },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  return { th, provider, signIn, api };
}

describe('F05: no allow rule', () => {
  it('refuses a signed-in GitHub user with a page naming them, the rule and whom to ask; the admin gets in', async () => {
    const { th, signIn } = await setup({});
    const carol = await signIn('carol');
    expect(carol.res.status).toBe(403);
    expect(carol.page).toContain('You signed in at GitHub as &quot;carol&quot;');
    expect(carol.page).toContain('only admins can sign in');
    expect(carol.page).toContain('admin-gh');
    expect(th.hub.context.store.getUser('carol')).toBeUndefined();
    expect((await signIn('admin-gh')).res.status).toBe(302);
  });
});

describe('F06: users added by an admin', () => {
  it('may sign in; removing them revokes the next sign-in and their tokens', async () => {
    const { th, signIn, api } = await setup({});
    expect((await api('POST', '/hub/api/users/dave')).status).toBe(201);
    const { token } = (await (await api('POST', '/hub/api/users/dave/tokens', {})).json()) as {
      token: string;
    };
    expect((await signIn('dave')).res.status).toBe(302);
    expect((await api('DELETE', '/hub/api/users/dave')).status).toBe(204);
    expect((await signIn('dave')).res.status).toBe(403);
    const withOldToken = await fetch(`${th.base}/hub/api/user`, {
      headers: { authorization: `token ${token}` },
    });
    expect(withOldToken.status).toBe(403);
  });

  it('a user admitted only by an organization rule is refused once that rule is gone', async () => {
    const orgs = { 'acme-lab': { members: ['erin'] } };
    const first = await setup({ github: { allowedOrganizations: ['acme-lab'] } }, orgs);
    expect((await first.signIn('erin')).res.status).toBe(302);
    const dataDir = first.th.dataDir;
    await cleanup.pop()?.();
    const second = await setup({}, orgs, dataDir);
    const again = await second.signIn('erin');
    expect(again.res.status).toBe(403);
    expect(again.page).toContain('only admins can sign in');
  });
});

describe('F07: private organization members', () => {
  it('asks for read:org when an organization rule exists, and admits a private member', async () => {
    const { signIn, th } = await setup(
      { github: { allowedOrganizations: ['acme-lab', 'acme-lab:ml'] } },
      {
        'acme-lab': { privateMembers: ['frank'], teams: { ml: ['gina'] } },
      },
    );
    const frank = await signIn('frank');
    expect(new URL(frank.authorize).searchParams.get('scope')).toContain('read:org');
    expect(frank.res.status).toBe(302);
    expect(th.hub.context.store.getUser('frank')?.added_by).toBe('login');
    expect((await signIn('gina')).res.status).toBe(302);
    expect((await signIn('mallory')).res.status).toBe(403);
  });

  it('without read:org granted, the 403 says membership could not be verified and why', async () => {
    const { signIn, provider, th } = await setup(
      { github: { allowedOrganizations: ['acme-lab'] } },
      {
        'acme-lab': { privateMembers: ['frank'] },
      },
    );
    provider.grantScopes = '';
    const frank = await signIn('frank');
    expect(frank.res.status).toBe(403);
    expect(frank.page).toContain(
      'couldn&#39;t verify membership in acme-lab: the app was not granted read:org',
    );
    const event = th.hub.context.store.listEvents(5).find((e) => e.kind === 'login-refused');
    expect(event?.message).toContain('granted: none');
  });
});
