import { afterEach, describe, expect, it } from 'vitest';
import { type TestHub, freePort, startTestHub } from '../../e2e/fixtures/test-hub.js';
import { OidcTestProvider } from '../../e2e/fixtures/oidc-provider.js';

// GET /hub/api/auth/settings: what the settings screen tells the owner to register, and the F05 warning.
const ADMIN_TOKEN = 'settings-admin-token-0123456789abcdef';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function hub(auth: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TestHub> {
  const th = await startTestHub({
    apiTokens: { [ADMIN_TOKEN]: 'boss' },
    auth: { adminUsers: ['boss'], ...auth },
    docker: { socketPath: '/nonexistent/docker.sock' },
    ...extra,
  });
  cleanup.push(() => th.stop());
  return th;
}

const settings = async (th: TestHub, token = ADMIN_TOKEN) => {
  const res = await fetch(`${th.base}/hub/api/auth/settings`, {
    headers: { authorization: `token ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('auth settings for the settings screen', () => {
  it('lists callback URLs, scopes and discovery checks per provider; no secrets', async () => {
    const oidc = await new OidcTestProvider({
      clientId: 'c',
      clientSecret: 's3cret-oidc',
      redirectUris: ['http://x/cb'],
    }).start();
    cleanup.push(() => oidc.stop());
    const dead = await freePort();
    const th = await hub({
      github: {
        clientId: 'Ov23liSettings',
        clientSecret: 'gh-s3cret',
        allowedOrganizations: ['acme-lab'],
        deviceFlow: true,
      },
      oidc: [
        { id: 'sso', displayName: 'SSO', issuer: oidc.issuer, clientId: 'c', clientSecret: 's3cret-oidc' },
        { id: 'gone', displayName: 'Gone', issuer: `http://127.0.0.1:${dead}`, clientId: 'c' },
      ],
    });
    const { status, body } = await settings(th);
    expect(status).toBe(200);
    const [github, sso, gone] = body.providers as Record<string, unknown>[];
    expect(github).toMatchObject({
      id: 'github',
      callbackUrls: [`http://localhost:${th.port}/hub/oauth_callback`],
      scopes: ['read:org'],
      deviceFlow: true,
    });
    expect(sso).toMatchObject({
      callbackUrls: [`http://localhost:${th.port}/hub/oidc/sso/callback`],
      scopes: ['openid', 'profile', 'email'],
      discovery: { ok: true },
    });
    expect(gone).toMatchObject({ discovery: { ok: false } });
    expect(String((gone?.discovery as { message: string }).message)).toContain('could not read the provider');
    expect(JSON.stringify(body)).not.toMatch(/s3cret/);
    expect(body.warnings).toEqual([]);
  });

  it('warns when only admins can sign in (F05), and not once a rule admits others', async () => {
    const th = await hub({ github: { clientId: 'Ov23liSettings', clientSecret: 'x' } });
    expect((await settings(th)).body.warnings).toEqual([
      'Only admins can log in: add users/orgs or enable allow-all (auth.allowedUsers, auth.allowAll).',
    ]);
    await fetch(`${th.base}/hub/api/users/dave`, {
      method: 'POST',
      headers: { authorization: `token ${ADMIN_TOKEN}` },
    });
    expect((await settings(th)).body.warnings).toEqual([]);
  });

  it('is for admins only', async () => {
    const th = await hub({ allowAll: true });
    const res = await fetch(`${th.base}/hub/api/auth/settings`);
    expect(res.status).toBe(401);
  });
});

describe('/hub/api/info authenticator', () => {
  it('names the sign-in methods in use', async () => {
    const info = async (auth: Record<string, unknown>) => {
      const th = await hub(auth);
      const res = await fetch(`${th.base}/hub/api/info`, {
        headers: { authorization: `token ${ADMIN_TOKEN}` },
      });
      return ((await res.json()) as { authenticator: { class: string } }).authenticator.class;
    };
    expect(await info({ local: { enabled: false } })).toBe('teamhub.NoLogin');
    // Nothing configured: password accounts are offered so the first run works offline.
    expect(await info({})).toBe('teamhub.LocalLogin');
    expect(await info({ local: { enabled: true } })).toBe('teamhub.LocalLogin');
    expect(await info({ local: { enabled: true }, github: { clientId: 'Ov23li', clientSecret: 'x' } })).toBe(
      'teamhub.MultiLogin',
    );
  });
});
