import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../hub-core/src/spawner/names.js';
import { docker, removeHubResources, requireDockerAndImage } from './fixtures/docker.js';
import { type TestHub, startTestHub, uniqueLogin } from './fixtures/test-hub.js';

// F19: a valid token whose owner lacks the right gets a message naming the missing scope; the
// owner's own resources work; a single-user server's token says what kind of token it is.
const Ta = 'f19-admin-token-0123456789abcdef';
const bob = uniqueLogin('bob');
const alice = uniqueLogin('alice');
let th: TestHub;
let Tb: string;

const call = (method: string, path: string, token: string, body?: unknown) =>
  fetch(`${th.base}${path}`, {
    method,
    headers: { authorization: `token ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

beforeAll(async () => {
  await requireDockerAndImage();
  th = await startTestHub({ apiTokens: { [Ta]: 'boss' }, auth: { adminUsers: ['boss'] } });
  expect((await call('POST', '/hub/api/users', Ta, { usernames: [alice, bob] })).status).toBe(201);
  const res = await call('POST', `/hub/api/users/${bob}/tokens`, Ta, { note: 'bob' });
  Tb = ((await res.json()) as { token: string }).token;
});

afterAll(async () => {
  await th?.stop();
  await removeHubResources(th?.hub.hubId);
});

describe('F19: a token without the right', () => {
  it("bob's token cannot list users: 403 naming the scope and that bob is not an admin", async () => {
    const res = await call('GET', '/hub/api/users', Tb);
    expect(res.status).toBe(403);
    const { message } = (await res.json()) as { message: string };
    expect(message).toContain('requires any of [list:users]');
    expect(message).toContain(`${bob} is not an admin`);
  });

  it("bob's token cannot start alice's server: 404 without revealing her, naming the scope", async () => {
    const res = await call('POST', `/hub/api/users/${alice}/server`, Tb);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('[servers]');
  });

  it("bob's token works on bob: his model and his server", async () => {
    const me = await call('GET', `/hub/api/users/${bob}`, Tb);
    expect(me.status).toBe(200);
    const start = await call('POST', `/hub/api/users/${bob}/server`, Tb);
    expect([201, 202]).toContain(start.status);
    const until = Date.now() + 60_000;
    let ready = false;
    while (!ready && Date.now() < until) {
      const m = (await (await call('GET', `/hub/api/users/${bob}`, Tb)).json()) as {
        servers: Record<string, { ready: boolean }>;
      };
      ready = !!m.servers['']?.ready;
      if (!ready) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready).toBe(true);
  });

  it("the server's own token is refused on admin endpoints and says what it is", async () => {
    const info = await docker.getContainer(containerName(th.prefix, bob)).inspect();
    const serverToken =
      info.Config.Env.find((e) => e.startsWith('JUPYTERHUB_API_TOKEN='))?.slice(
        'JUPYTERHUB_API_TOKEN='.length,
      ) ?? '';
    const res = await call('GET', '/hub/api/users', serverToken);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain(
      `single-user server token of ${bob}`,
    );
  });

  it('the admin token can do all of it', async () => {
    expect((await call('GET', '/hub/api/users', Ta)).status).toBe(200);
    expect((await call('GET', `/hub/api/users/${bob}`, Ta)).status).toBe(200);
    expect((await call('DELETE', `/hub/api/users/${bob}/server`, Ta)).status).toBe(204);
    expect((await call('POST', `/hub/api/users/${alice}/server`, Ta)).status).toBeLessThan(300);
    expect((await call('DELETE', `/hub/api/users/${alice}/server`, Ta)).status).toBe(204);
  });

  it('bob cannot mint a token broader than his rights; his token list shows owner, scopes, times, expiry', async () => {
    const broad = await call('POST', `/hub/api/users/${bob}/tokens`, Tb, { scopes: ['list:users'] });
    expect(broad.status).toBe(400);
    expect(((await broad.json()) as { message: string }).message).toContain('list:users');
    const narrow = await call('POST', `/hub/api/users/${bob}/tokens`, Tb, {
      scopes: ['read:users!user=' + bob],
      expires_in: 600,
    });
    expect(narrow.status).toBe(201);
    const list = (await (await call('GET', `/hub/api/users/${bob}/tokens`, Tb)).json()) as {
      api_tokens: Record<string, unknown>[];
    };
    const t = list.api_tokens.find((x) => x.expires_at);
    expect(t).toMatchObject({ user: bob, kind: 'api_token' });
    expect(t?.scopes).toContain(`read:users!user=${bob}`);
    expect(t?.scopes).not.toContain('list:users');
    for (const k of ['created', 'last_activity', 'expires_at']) expect(t).toHaveProperty(k);
    expect(JSON.stringify(list)).not.toContain(Tb);
  });
});
