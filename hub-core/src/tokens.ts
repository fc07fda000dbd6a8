import crypto from 'node:crypto';
import { now, type Store, type TokenKind, type TokenRow } from './store/store.js';

export const PREFIX_LENGTH = 4;

/** A new secret token: 128 random bits as 32 hex characters, like JupyterHub's. */
export function newToken(): string {
  return crypto.randomBytes(16).toString('hex');
}

/** A random URL-safe string (OAuth codes, state ids, session ids). */
export function randomId(bytes = 24): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/**
 * `sha512:<rounds>:<salt>:<hex digest>` of salt ‖ token×rounds. Generated tokens are random enough
 * for one round; tokens a person chose get many.
 */
export function hashToken(token: string, rounds = 1, salt = crypto.randomBytes(8).toString('hex')): string {
  const h = crypto.createHash('sha512');
  h.update(salt, 'ascii');
  const bytes = Buffer.from(token, 'utf8');
  for (let i = 0; i < rounds; i++) h.update(bytes);
  return `sha512:${rounds}:${salt}:${h.digest('hex')}`;
}

export function verifyToken(token: string, hashed: string): boolean {
  const [alg, rounds, salt, digest] = hashed.split(':');
  if (alg !== 'sha512' || !rounds || !salt || !digest) return false;
  const expected = Buffer.from(digest, 'hex');
  const actual = Buffer.from(hashToken(token, Number(rounds), salt).split(':')[3] as string, 'hex');
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

export interface IssueTokenOptions {
  userId: number;
  kind: TokenKind;
  scopes: string[];
  note?: string;
  clientId?: string | null;
  sessionId?: string | null;
  expiresInSeconds?: number | null;
}

/** Stores a new token (hashed) and returns its one and only plain-text copy. */
export function issueToken(store: Store, o: IssueTokenOptions): { token: string; id: number } {
  const token = newToken();
  const id = store.insertToken({
    user_id: o.userId,
    kind: o.kind,
    prefix: token.slice(0, PREFIX_LENGTH),
    hashed: hashToken(token),
    scopes: o.scopes,
    note: o.note ?? '',
    client_id: o.clientId ?? null,
    session_id: o.sessionId ?? null,
    created: now(),
    expires_at: o.expiresInSeconds ? new Date(Date.now() + o.expiresInSeconds * 1000).toISOString() : null,
  });
  return { token, id };
}

/** The stored row for a presented token, or undefined when it is unknown or expired. */
export function findToken(store: Store, token: string): TokenRow | undefined {
  if (token.length < 8) return undefined;
  const ts = now();
  return store
    .tokensWithPrefix(token.slice(0, PREFIX_LENGTH))
    .find((row) => (!row.expires_at || row.expires_at > ts) && verifyToken(token, row.hashed));
}
