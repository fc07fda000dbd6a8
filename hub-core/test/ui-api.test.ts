import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../src/auth/auth-store.js';
import { type TestHub, startTestHub } from '../../e2e/fixtures/test-hub.js';

// The UI's own endpoints without Docker: who may call what, and what bad input gets.
const ADMIN = 'ui-admin-token-0123456789abcdef0';
const ANN = 'ui-ann-token-0123456789abcdef012';
let th: TestHub;

const call = async (method: string, path: string, token = ADMIN, body?: unknown) => {
  const res = await fetch(`${th.base}${path}`, {
    method,
    redirect: 'manual',
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
};

beforeAll(async () => {
  th = await startTestHub({
    apiTokens: { [ADMIN]: 'boss', [ANN]: 'ann' },
    auth: { adminUsers: ['boss'] },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
});
afterAll(async () => th?.stop());

describe('/hub/ui/api', () => {
  it('me: Docker’s problem in words; no only-admins warning when an added user may sign in', async () => {
    const boss = await call('GET', '/hub/ui/api/me');
    expect(boss.status).toBe(200);
    expect(boss.json).toMatchObject({
      user: { name: 'boss', admin: true },
      // ann, added by an admin (her token in the config), may sign in: not only admins.
      onlyAdminsCanSignIn: false,
      docker: { ok: false, message: expect.stringContaining('/nonexistent/docker.sock') },
    });
    const ann = await call('GET', '/hub/ui/api/me', ANN);
    expect(ann.json).toMatchObject({ user: { name: 'ann', admin: false }, onlyAdminsCanSignIn: false });
  });

  it('admin screens refuse other people with the scope they lack', async () => {
    for (const path of [
      '/hub/ui/api/containers',
      '/hub/ui/api/settings',
      '/hub/ui/api/tokens',
      '/hub/ui/api/doctor',
    ]) {
      const r = await call('GET', path, ANN);
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
      expect(r.json?.message).toContain('admin-ui');
    }
    expect((await call('POST', '/hub/ui/api/stop-all', ANN, {})).status).toBe(403);
    expect((await call('PATCH', '/hub/ui/api/settings', ANN, { access: { allowAll: true } })).status).toBe(
      403,
    );
  });

  it('one person cannot read another’s logs or tokens; unknown users are 404', async () => {
    expect((await call('GET', '/hub/ui/api/users/boss/logs', ANN)).status).toBe(404);
    expect((await call('GET', '/hub/ui/api/tokens?user=boss', ANN)).status).toBe(404);
    expect((await call('GET', '/hub/ui/api/tokens?user=ann', ANN)).status).toBe(200);
    expect((await call('GET', '/hub/ui/api/users/nobody/logs')).status).toBe(404);
    const bad = await call('GET', '/hub/ui/api/users/ann/logs?tail=-1');
    expect(bad.status).toBe(400);
    expect(bad.json?.message).toContain('tail must be a whole number');
  });

  it('a settings change with bad values answers per field and changes nothing', async () => {
    const r = await call('PATCH', '/hub/ui/api/settings', ADMIN, {
      access: { allowedUsers: ['ok-name', 'bad/name'] },
      spawner: { cpuLimit: -1 },
    });
    expect(r.status).toBe(400);
    expect(Object.keys(r.json?.fields as object).sort()).toEqual(['access.allowedUsers', 'spawner.cpuLimit']);
    expect((await call('PATCH', '/hub/ui/api/settings', ADMIN, [])).status).toBe(400);
    expect((await call('PATCH', '/hub/ui/api/settings', ADMIN, { nope: 1 })).status).toBe(400);
    const s = await call('GET', '/hub/ui/api/settings');
    expect(s.json?.access).toEqual({ allowAll: false, allowedUsers: [], adminUsers: ['boss'] });
  });

  it('a good change applies at once: the only-admins warning goes', async () => {
    const r = await call('PATCH', '/hub/ui/api/settings', ADMIN, { access: { allowedUsers: ['ann'] } });
    expect(r.status).toBe(200);
    expect((await call('GET', '/hub/ui/api/me')).json?.onlyAdminsCanSignIn).toBe(false);
  });

  it('UI paths send signed-out visitors to sign-in, keeping where they were going', async () => {
    const res = await fetch(`${th.base}/hub/admin/users`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/hub/login?next=%2Fhub%2Fadmin%2Fusers');
    const anon = await fetch(`${th.base}/hub/ui/api/me`);
    expect(anon.status).toBe(401);
  });
});

describe('password accounts switched from the settings screen', () => {
  it('sign-up by approval at once; a bad mode is refused per field, turning off the only way in as a whole', async () => {
    const bad = await call('PATCH', '/hub/ui/api/settings', ADMIN, { passwords: { signup: 'anyone' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json?.fields as object)).toEqual(['passwords.signup']);
    // This hub has no other sign-in method: password accounts stay on (turning them off with
    // GitHub set up is in provider-settings.test.ts).
    const off = await call('PATCH', '/hub/ui/api/settings', ADMIN, { passwords: { enabled: false } });
    expect(off.status).toBe(409);
    expect(off.json?.message).toContain('no way to sign in with a browser');
    expect((await call('GET', '/hub/ui/api/settings')).json?.passwords).toMatchObject({ enabled: true });
    const on = await call('PATCH', '/hub/ui/api/settings', ADMIN, {
      passwords: { enabled: true, signup: 'approval' },
    });
    expect(on.status).toBe(200);
    const after = (await (await fetch(`${th.base}/hub/login/options`)).json()) as {
      providers: { id: string }[];
      localSignup: boolean;
    };
    expect(after.providers.map((p) => p.id)).toContain('local');
    expect(after.localSignup).toBe(true);
    expect((await call('GET', '/hub/ui/api/settings')).json?.passwords).toEqual({
      enabled: true,
      forNow: false,
      signup: 'approval',
    });
  });
});

describe('an admin who signs in with a password', () => {
  it('cannot turn password accounts off (it would lock them out); one who signs in otherwise can', async () => {
    const PAT = 'ui-pat-token-0123456789abcdef0123';
    const hub = await startTestHub({
      apiTokens: { [PAT]: 'pat' },
      auth: {
        adminUsers: ['pat'],
        local: { enabled: true },
        oidc: [{ id: 'sso', displayName: 'SSO', issuer: 'http://127.0.0.1:9', clientId: 'c' }],
      },
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    try {
      const patch = () =>
        fetch(`${hub.base}/hub/ui/api/settings`, {
          method: 'PATCH',
          headers: { authorization: `token ${PAT}`, 'content-type': 'application/json' },
          body: JSON.stringify({ passwords: { enabled: false } }),
        });
      const auth = new AuthStore(hub.hub.context.store.db);
      const pat = hub.hub.context.store.getUser('pat');
      auth.linkIdentity(pat?.id ?? 0, 'local', 'pat', 'pat');
      const refused = await patch();
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { message: string }).message).toContain('would lock you out');
      expect(hub.hub.context.config.auth.local.enabled).toBe(true);
      auth.linkIdentity(pat?.id ?? 0, 'oidc:sso', 'pat-sub', 'pat');
      expect((await patch()).status).toBe(200);
    } finally {
      await hub.stop();
    }
  });
});
