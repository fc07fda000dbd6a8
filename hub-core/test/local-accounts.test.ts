import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SCRYPT, hashPassword, verifyPassword } from '../src/auth/passwords.js';
import { FailureCounter } from '../src/auth/rate-limit.js';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { type TestHub, startTestHub } from '../../e2e/fixtures/test-hub.js';

// Password accounts for offline teams, over HTTP without a browser (the Chromium run is
// e2e/local-accounts.test.ts): first run, sign-in and its rate limits, sign-up with approval,
// invites, password reset, sign-out everywhere.
const ADMIN_TOKEN = 'local-admin-token-0123456789abcdef';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function hub(local: Record<string, unknown> = {}, withAdmin = true): Promise<TestHub> {
  const th = await startTestHub({
    ...(withAdmin ? { apiTokens: { [ADMIN_TOKEN]: 'boss' } } : {}),
    auth: { ...(withAdmin ? { adminUsers: ['boss'] } : {}), local: { enabled: true, ...local } },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
  cleanup.push(() => th.stop());
  return th;
}

const api = (th: TestHub, method: string, path: string, body?: unknown) =>
  fetch(`${th.base}${path}`, {
    method,
    headers: { authorization: `token ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

/** Loads a form page (for its XSRF field and cookie) and posts it. */
async function submit(client: Browserless, page: string, fields: Record<string, string>, action = page) {
  const html = await (await client.request(page)).text();
  const xsrf = /name="_xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return client.request(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _xsrf: xsrf, ...fields }).toString(),
  });
}

const signIn = (client: Browserless, username: string, password: string) =>
  submit(client, '/hub/login', { username, password });

describe('password hashing and rate limiting', () => {
  it('hashes with scrypt N=2^15, r=8, p=1 and a random salt; verifies only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(SCRYPT.N * SCRYPT.r * 128).toBe(32 * 1024 * 1024);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct hors', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('counts failures in a sliding window', () => {
    let t = 0;
    const c = new FailureCounter(3, 60_000, () => t);
    c.fail('a');
    c.fail('a');
    expect(c.retryAfter('a')).toBe(0);
    c.fail('a');
    expect(c.retryAfter('a')).toBe(60);
    t = 30_000;
    expect(c.retryAfter('a')).toBe(30);
    t = 60_001;
    expect(c.retryAfter('a')).toBe(0);
  });
});

describe('local accounts', () => {
  it('first run: only from loopback, only while no admin exists; creates the owner as admin', async () => {
    const th = await hub({}, false);
    const client = new Browserless(th.base);
    expect(await (await client.request('/hub/login')).text()).toContain('id="setup-link"');
    // A page on another site that rebinds its name to 127.0.0.1 still sends its own Host header.
    const foreign = await new Promise<number>((resolve, reject) =>
      http
        .get(
          { host: '127.0.0.1', port: th.port, path: '/hub/setup', headers: { host: 'hub.example.org' } },
          (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          },
        )
        .on('error', reject),
    );
    expect(foreign).toBe(404);
    const res = await submit(client, '/hub/setup', {
      username: 'Owner',
      password: 'owner-pass-1',
      password2: 'owner-pass-1',
    });
    expect(res.status).toBe(302);
    expect(th.hub.context.store.getUser('owner')?.admin).toBe(true);
    expect((await client.request('/hub/home')).status).toBe(200);
    expect((await new Browserless(th.base).request('/hub/setup')).status).toBe(404);
    expect(await (await new Browserless(th.base).request('/hub/login')).text()).not.toContain('setup-link');
  });

  it('wrong password → 401; after maxAttempts failures → 429 with Retry-After, even with the right password', async () => {
    const th = await hub({ maxAttempts: 3 });
    expect((await api(th, 'POST', '/hub/api/users/alice')).status).toBe(201);
    expect((await api(th, 'PUT', '/hub/api/users/alice/password', { password: 'alice-pass-1' })).status).toBe(
      204,
    );
    const client = new Browserless(th.base);
    const wrong = await signIn(client, 'alice', 'nope-nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong user name or password.');
    await signIn(client, 'alice', 'nope-nope');
    await signIn(client, 'alice', 'nope-nope');
    const limited = await signIn(client, 'ALICE', 'alice-pass-1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many failed sign-in attempts for &quot;alice&quot;');
    // An admin's reset lifts the account's limit.
    expect((await api(th, 'PUT', '/hub/api/users/alice/password', { password: 'alice-pass-2' })).status).toBe(
      204,
    );
    const ok = await signIn(client, 'alice', 'alice-pass-2');
    expect(ok.status).toBe(302);
  });

  it('limits failures per client address across names', async () => {
    const th = await hub({ maxAttempts: 1 });
    const client = new Browserless(th.base);
    for (const n of ['u1', 'u2', 'u3', 'u4'])
      expect((await signIn(client, n, 'whatever-1')).status).toBe(401);
    const limited = await signIn(client, 'u5', 'whatever-1');
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('from your address');
  });

  it('sign-up waits for approval; the admin approves over REST; then sign-in works', async () => {
    const th = await hub({ signup: 'approval' });
    const client = new Browserless(th.base);
    const short = await submit(client, '/hub/signup', {
      username: 'erin',
      password: 'short',
      password2: 'short',
    });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('at least 8 characters');
    const asked = await submit(client, '/hub/signup', {
      username: 'Erin',
      password: 'erin-pass-1',
      password2: 'erin-pass-1',
    });
    expect(asked.status).toBe(200);
    expect(th.hub.context.store.getUser('erin')).toBeUndefined();
    const waiting = await signIn(client, 'erin', 'erin-pass-1');
    expect(waiting.status).toBe(403);
    expect(await waiting.text()).toContain('waiting for an admin');
    expect(await (await api(th, 'GET', '/hub/api/signups')).json()).toMatchObject([{ name: 'erin' }]);
    expect((await api(th, 'POST', '/hub/api/signups/erin')).status).toBe(201);
    expect((await signIn(client, 'erin', 'erin-pass-1')).status).toBe(302);
    const taken = await submit(new Browserless(th.base), '/hub/signup', {
      username: 'erin',
      password: 'other-pass',
      password2: 'other-pass',
    });
    expect(taken.status).toBe(409);
  });

  it('sign-up is closed unless configured', async () => {
    const th = await hub();
    expect((await fetch(`${th.base}/hub/signup`)).status).toBe(404);
  });

  it('an invite link creates one account, once; non-admins cannot make invites', async () => {
    const th = await hub();
    const made = await api(th, 'POST', '/hub/api/invites');
    expect(made.status).toBe(201);
    const invite = (await made.json()) as { url: string; path: string; expires_at: string };
    expect(invite.url).toBe(`${th.base}${invite.path}`);
    const client = new Browserless(th.base);
    const res = await submit(client, invite.path, {
      username: 'frank',
      password: 'frank-pass-1',
      password2: 'frank-pass-1',
    });
    expect(res.status).toBe(302);
    expect(th.hub.context.store.getUser('frank')?.added_by).toBe('admin');
    const again = await fetch(`${th.base}${invite.path}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already used or has expired');
    const userToken = await api(th, 'POST', '/hub/api/users/frank/tokens', {});
    const { token } = (await userToken.json()) as { token: string };
    const refused = await fetch(`${th.base}/hub/api/invites`, {
      method: 'POST',
      headers: { authorization: `token ${token}` },
    });
    expect(refused.status).toBe(403);
  });

  it('forms without the page XSRF token are refused', async () => {
    const th = await hub();
    const res = await fetch(`${th.base}/hub/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=a&password=b',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('reload the page');
  });

  it('an admin signs a user out everywhere; the sign-in page says why', async () => {
    const th = await hub();
    await api(th, 'POST', '/hub/api/users/gina');
    await api(th, 'PUT', '/hub/api/users/gina/password', { password: 'gina-pass-1' });
    const one = new Browserless(th.base);
    const two = new Browserless(th.base);
    await signIn(one, 'gina', 'gina-pass-1');
    await signIn(two, 'gina', 'gina-pass-1');
    expect((await api(th, 'DELETE', '/hub/api/users/gina/sessions')).status).toBe(204);
    for (const c of [one, two]) {
      const home = await c.request('/hub/home');
      expect(home.status).toBe(302);
      const login = await c.request(home.headers.get('location') ?? '');
      expect(await login.text()).toContain('You were signed out: an admin (boss) signed you out everywhere.');
    }
    expect((await api(th, 'DELETE', '/hub/api/users/nobody/sessions')).status).toBe(404);
  });

  it('a password cannot be set for a user who signs in with another provider', async () => {
    const th = await hub();
    const store = th.hub.context.store;
    const user = store.ensureUser('octo', false, 'login');
    store.db
      .prepare(
        "INSERT INTO identities (user_id, provider, subject, login, created) VALUES (?, 'github', '42', 'octo', 'now')",
      )
      .run(user.id);
    const res = await api(th, 'PUT', '/hub/api/users/octo/password', { password: 'octo-pass-1' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toContain('signs in with GitHub');
  });
});
