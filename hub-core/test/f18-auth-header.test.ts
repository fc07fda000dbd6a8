import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestHub, startTestHub } from '../../e2e/fixtures/test-hub.js';

// F18: a valid admin token sent in odd header forms; only the documented forms work, and the rest
// are told exactly what to send instead of a bare 403.
const T = 'f18-admin-token-0123456789abcdef';
let th: TestHub;

beforeAll(async () => {
  th = await startTestHub({
    apiTokens: { [T]: 'boss' },
    auth: { adminUsers: ['boss'] },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
});
afterAll(async () => th?.stop());

const get = (headers: Record<string, string>) => fetch(`${th.base}/hub/api/users`, { headers });

describe('F18: Authorization header forms', () => {
  it.each([`token ${T}`, `Bearer ${T}`, `Token ${T}`, `BEARER ${T}`])('accepts %s', async (h) => {
    const res = await get({ authorization: h.replace(T, T) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }[]).map((u) => u.name)).toContain('boss');
  });

  it.each([`token: ${T}`, T, 'token', 'Bearer', ''])(
    'answers 401 naming the accepted forms for %j',
    async (h) => {
      const res = await get({ authorization: h });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { status: number; message: string };
      expect(body.status).toBe(401);
      expect(body.message).toContain('Authorization: token <token>');
      expect(body.message).toContain('Authorization: Bearer <token>');
    },
  );

  it('a custom "token" header or no header at all is 401 with the same advice', async () => {
    for (const headers of [{ token: T }, {}] as Record<string, string>[]) {
      const res = await get(headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toContain('Authorization: token <token>');
    }
  });

  it('an unknown or revoked token is 403 "invalid or expired token"', async () => {
    const created = await fetch(`${th.base}/hub/api/users/boss/tokens`, {
      method: 'POST',
      headers: { authorization: `token ${T}`, 'content-type': 'application/json' },
      body: '{"note": "to revoke"}',
    });
    const { token, id } = (await created.json()) as { token: string; id: string };
    expect((await get({ authorization: `token ${token}` })).status).toBe(200);
    await fetch(`${th.base}/hub/api/users/boss/tokens/${id}`, {
      method: 'DELETE',
      headers: { authorization: `token ${T}` },
    });
    for (const bad of [token, 'x'.repeat(32)]) {
      const res = await get({ authorization: `token ${bad}` });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { message: string }).message).toMatch(/^Invalid or expired token/);
    }
  });

  it('GET /hub/api stays public whatever the header says', async () => {
    expect((await fetch(`${th.base}/hub/api`, { headers: { authorization: 'garbage' } })).status).toBe(200);
  });

  it('token values never reach the logs', async () => {
    expect(th.logs.join('\n')).not.toContain(T);
  });
});
