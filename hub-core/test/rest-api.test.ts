import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestHub, startTestHub } from '../../e2e/fixtures/test-hub.js';

// The REST API without Docker: users, pagination as jupyterhub-idle-culler uses it, tokens, groups.
const T = 'rest-admin-token-0123456789abcdef';
const PAGE = 'application/jupyterhub-pagination+json';
let th: TestHub;

const api = async (
  method: string,
  path: string,
  o: { token?: string; body?: unknown; raw?: string; accept?: string } = {},
) => {
  const res = await fetch(path.startsWith('http') ? path : `${th.base}${path}`, {
    method,
    headers: {
      authorization: `token ${o.token ?? T}`,
      ...(o.body !== undefined || o.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(o.accept ? { accept: o.accept } : {}),
    },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : o.raw !== undefined ? { body: o.raw } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown> & unknown[]) : undefined,
  };
};

beforeAll(async () => {
  th = await startTestHub({
    apiTokens: { [T]: 'boss' },
    auth: { adminUsers: ['boss'] },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
});
afterAll(async () => th?.stop());

describe('users', () => {
  it('creates many, normalises names, refuses hostile ones with a 400 naming them', async () => {
    const made = await api('POST', '/hub/api/users', { body: { usernames: ['Ann', 'ben', 'cy'] } });
    expect(made.status).toBe(201);
    expect((made.json as unknown as { name: string }[]).map((u) => u.name)).toEqual(['ann', 'ben', 'cy']);
    for (const bad of ['a/b', '', '   ', 'x\ny', 42]) {
      const r = await api('POST', '/hub/api/users', { body: { usernames: [bad] } });
      expect(r.status).toBe(400);
      expect(String((r.json as unknown as { message: string }).message)).toMatch(/Invalid username/);
    }
    expect((await api('POST', '/hub/api/users', { raw: '{"usernames": [' })).status).toBe(400);
    expect((await api('POST', '/hub/api/users', { body: ['ann'] })).status).toBe(400);
  });

  it('paginates with an absolute next.url that works verbatim, as the idle culler follows it', async () => {
    await api('POST', '/hub/api/users', {
      body: { usernames: Array.from({ length: 7 }, (_, i) => `p${i}`) },
    });
    const names: string[] = [];
    let url: string | null = `${th.base}/hub/api/users?limit=3`;
    let pages = 0;
    while (url) {
      const r = await api('GET', url, { accept: PAGE });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain(PAGE);
      const body = r.json as unknown as {
        items: { name: string }[];
        _pagination: { total: number; next: { url: string } | null };
      };
      names.push(...body.items.map((u) => u.name));
      url = body._pagination.next?.url ?? null;
      if (url) expect(url.startsWith('http://')).toBe(true);
      pages++;
    }
    const total = (await api('GET', '/hub/api/users')).json as unknown as unknown[];
    expect(names).toHaveLength(total.length);
    expect(new Set(names).size).toBe(names.length);
    expect(pages).toBe(Math.ceil(total.length / 3));
  });

  it('filters by name and sorts', async () => {
    const r = await api('GET', '/hub/api/users?name_filter=P&sort=-name');
    expect((r.json as unknown as { name: string }[]).map((u) => u.name)).toEqual([
      'p6',
      'p5',
      'p4',
      'p3',
      'p2',
      'p1',
      'p0',
    ]);
    expect((await api('GET', '/hub/api/users?sort=age')).status).toBe(400);
    expect((await api('GET', '/hub/api/users?offset=-5&limit=999')).status).toBe(200);
  });

  it('patches admin, name and groups with type checks', async () => {
    await api('POST', '/hub/api/groups', { body: { groups: ['team'] } });
    const p = await api('PATCH', '/hub/api/users/cy', {
      body: { admin: true, groups: ['team'], name: 'cyd' },
    });
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ name: 'cyd', admin: true, groups: ['team'] });
    expect((await api('PATCH', '/hub/api/users/cyd', { body: { admin: 'yes' } })).status).toBe(400);
    expect((await api('PATCH', '/hub/api/users/cyd', { body: { groups: ['nosuch'] } })).status).toBe(400);
    expect((await api('GET', '/hub/api/groups/team')).json).toMatchObject({ users: ['cyd'] });
  });

  it('deleting a user revokes their tokens; deleting yourself is refused', async () => {
    const t = await api('POST', '/hub/api/users/ben/tokens', { body: {} });
    const benToken = (t.json as unknown as { token: string }).token;
    expect((await api('GET', '/hub/api/user', { token: benToken })).status).toBe(200);
    expect((await api('DELETE', '/hub/api/users/ben')).status).toBe(204);
    expect((await api('GET', '/hub/api/user', { token: benToken })).status).toBe(403);
    expect((await api('DELETE', '/hub/api/users/boss')).status).toBe(400);
  });
});

describe('tokens', () => {
  it('are shown once, stored hashed, and expire', async () => {
    const r = await api('POST', '/hub/api/users/ann/tokens', { body: { note: 'short', expires_in: 1 } });
    expect(r.status).toBe(201);
    const { token, id } = r.json as unknown as { token: string; id: string };
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const got = await api('GET', `/hub/api/users/ann/tokens/${id}`);
    expect(got.json).not.toHaveProperty('token');
    const rows = th.hub.context.store.db.prepare('SELECT hashed FROM api_tokens').all() as {
      hashed: string;
    }[];
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(T);
    await new Promise((res) => setTimeout(res, 1100));
    expect((await api('GET', '/hub/api/user', { token })).status).toBe(403);
  });

  it('keep last_activity and reject bad requests with clear 400s', async () => {
    const r = await api('POST', '/hub/api/users/ann/tokens', { body: { scopes: ['read:users!user=ann'] } });
    const { token, id } = r.json as unknown as { token: string; id: string };
    expect((await api('GET', '/hub/api/users/ann', { token })).status).toBe(200);
    expect((await api('GET', `/hub/api/users/ann/tokens/${id}`)).json).toHaveProperty('last_activity');
    expect(
      (
        (await api('GET', `/hub/api/users/ann/tokens/${id}`)).json as unknown as {
          last_activity: string | null;
        }
      ).last_activity,
    ).not.toBeNull();
    for (const body of [
      { scopes: 'read:users' },
      { scopes: ['no:such'] },
      { expires_in: -5 },
      { roles: ['wizard'] },
      { note: 7 },
    ]) {
      const bad = await api('POST', '/hub/api/users/ann/tokens', { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('a narrow token only does what it says', async () => {
    const r = await api('POST', '/hub/api/users/boss/tokens', { body: { scopes: ['read:users:name'] } });
    const { token } = r.json as unknown as { token: string };
    expect((await api('GET', '/hub/api/users/ann', { token })).json).toEqual({
      kind: 'user',
      name: 'ann',
      admin: false,
    });
    expect((await api('POST', '/hub/api/users', { token, body: { usernames: ['zed'] } })).status).toBe(403);
  });
});

describe('groups', () => {
  it('members and properties', async () => {
    expect((await api('POST', '/hub/api/groups/lab', { body: { users: ['ann'] } })).status).toBe(201);
    expect((await api('POST', '/hub/api/groups/lab')).status).toBe(409);
    expect(
      (await api('PUT', '/hub/api/groups/lab/properties', { body: { color: 'blue' } })).json,
    ).toMatchObject({
      properties: { color: 'blue' },
      users: ['ann'],
    });
    expect((await api('PUT', '/hub/api/groups/lab/properties', { body: [1] })).status).toBe(400);
    expect((await api('POST', '/hub/api/groups/lab/users', { body: { users: 'ann' } })).status).toBe(400);
    expect((await api('GET', '/hub/api/users/ann')).json).toMatchObject({ groups: ['lab'] });
    expect((await api('DELETE', '/hub/api/groups/lab')).status).toBe(204);
    expect((await api('GET', '/hub/api/groups/lab')).status).toBe(404);
  });
});

describe('hub', () => {
  it('info, proxy and unknown endpoints', async () => {
    expect((await api('GET', '/hub/api/info')).json).toMatchObject({ version: '3.0.0' });
    expect((await api('GET', '/hub/api/proxy')).json).toHaveProperty('/');
    const missing = await api('GET', '/hub/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ status: 404 });
    expect(missing.headers.get('x-jupyterhub-version')).toBe('3.0.0');
  });
});

describe('what the REST trial found', () => {
  it('refuses names that are not text, and tokens that would outlive timestamps', async () => {
    expect((await api('POST', '/hub/api/users', { raw: '{"usernames": ["\\ud800"]}' })).status).toBe(400);
    expect((await api('POST', '/hub/api/groups', { raw: '{"groups": ["\\udfff"]}' })).status).toBe(400);
    for (const expires_in of [1e30, 8_000_000_000_000, 315_360_001]) {
      const r = await api('POST', '/hub/api/users/ann/tokens', { body: { expires_in } });
      expect(r.status, String(expires_in)).toBe(400);
      expect((r.json as unknown as { message: string }).message).toContain('ten years');
    }
    expect(
      (await api('POST', '/hub/api/users/ann/tokens', { body: { expires_in: 315_360_000 } })).status,
    ).toBe(201);
  });

  it('builds next.url even from an empty or broken Host header', async () => {
    for (const host of ['', '[', 'a b']) {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: th.port,
            path: '/hub/api/users?limit=1',
            setHost: false,
            headers: { host, authorization: `token ${T}`, accept: PAGE },
          },
          (r) => {
            let body = '';
            r.on('data', (c: Buffer) => (body += c.toString()));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(res.status, JSON.stringify(host)).toBe(200);
      expect(
        (JSON.parse(res.body) as { _pagination: { next: { url: string } } })._pagination.next.url,
      ).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hub\/api\/users\?/);
    }
  });

  it('refuses what it cannot do instead of answering 200 and ignoring it', async () => {
    expect((await api('PATCH', '/hub/api/users/ann', { body: { roles: ['admin'] } })).status).toBe(400);
    expect((await api('PATCH', '/hub/api/users/ann', { body: { auth_state: { a: 1 } } })).status).toBe(400);
    expect((await api('PATCH', '/hub/api/users/ann', { body: { roles: ['user'] } })).status).toBe(200);
    await api('POST', '/hub/api/groups/deep', { body: {} });
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    expect((await api('PUT', '/hub/api/groups/deep/properties', { raw: deep })).status).toBe(400);
    expect((await api('PUT', '/hub/api/groups/deep/properties', { raw: '' })).status).toBe(400);
    expect((await api('POST', '/hub/api/users', { body: { usernames: 'ann' } })).status).toBe(400);
  });

  it("explains a narrow token's limits as the token's, not the user's", async () => {
    const r = await api('POST', '/hub/api/users/boss/tokens', {
      body: { scopes: ['read:users!user=boss', 'tokens!user=boss'] },
    });
    const { token } = r.json as unknown as { token: string };
    const denied = await api('GET', '/hub/api/users', { token });
    expect(denied.status).toBe(403);
    expect((denied.json as unknown as { message: string }).message).toContain(
      "this token's scopes do not include it",
    );
    const more = await api('POST', '/hub/api/users/boss/tokens', { token, body: { scopes: ['list:users'] } });
    expect(more.status).toBe(400);
    expect((more.json as unknown as { message: string }).message).toContain(
      'the credentials of boss used for this request do not hold them',
    );
    const same = await api('POST', '/hub/api/users/boss/tokens', { token, body: {} });
    expect(same.status).toBe(201);
    expect((same.json as unknown as { scopes: string[] }).scopes).toContain('read:users!user=boss');
    expect((same.json as unknown as { scopes: string[] }).scopes).not.toContain('list:users');
  });

  it('gives the admin role to admins only', async () => {
    expect((await api('POST', '/hub/api/users/boss/tokens', { body: { roles: ['admin'] } })).status).toBe(
      201,
    );
    expect((await api('POST', '/hub/api/users/ann/tokens', { body: { roles: ['admin'] } })).status).toBe(400);
  });
});
