import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/database.js';
import { Store } from '../src/store/store.js';
import { findToken, hashToken, issueToken, newToken, verifyToken } from '../src/tokens.js';

describe('tokens', () => {
  it('are 128-bit hex and never repeat', () => {
    const seen = new Set(Array.from({ length: 1000 }, newToken));
    expect(seen.size).toBe(1000);
    for (const t of seen) expect(t).toMatch(/^[0-9a-f]{32}$/);
  });

  it('hash with a salt and verify only the right token', () => {
    const t = newToken();
    const a = hashToken(t);
    const b = hashToken(t);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^sha512:1:[0-9a-f]{16}:[0-9a-f]{128}$/);
    expect(verifyToken(t, a)).toBe(true);
    expect(verifyToken(t, hashToken(t, 16384))).toBe(true);
    expect(verifyToken(`${t.slice(0, -1)}0`, a) && !t.endsWith('0')).toBe(false);
    expect(verifyToken(t, 'md5:1:00:00')).toBe(false);
  });

  it('are stored hashed, found by value, and expire', () => {
    const store = new Store(openDatabase(':memory:'));
    const user = store.ensureUser('alice');
    const { token, id } = issueToken(store, { userId: user.id, kind: 'api', scopes: ['read:users'] });
    const row = findToken(store, token);
    expect(row?.id).toBe(id);
    expect(JSON.stringify(store.db.prepare('SELECT * FROM api_tokens').all())).not.toContain(token);
    expect(findToken(store, newToken())).toBeUndefined();
    const old = issueToken(store, { userId: user.id, kind: 'api', scopes: [], expiresInSeconds: 1 });
    store.db
      .prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?')
      .run('2000-01-01T00:00:00.000Z', old.id);
    expect(findToken(store, old.token)).toBeUndefined();
  });
});
