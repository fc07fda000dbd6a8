import crypto from 'node:crypto';
import type { Db } from '../store/database.js';
import { now } from '../store/store.js';

export interface IdentityRow {
  id: number;
  user_id: number;
  /** `github`, `oidc:<id>` or `local`. */
  provider: string;
  subject: string;
  login: string;
  created: string;
  last_login: string | null;
}

export type LocalStatus = 'active' | 'pending';

export interface LocalAccountRow {
  name: string;
  user_id: number | null;
  password_hash: string;
  status: LocalStatus;
  created: string;
  updated: string;
}

export interface InviteRow {
  id: number;
  token_hash: string;
  created_by: string;
  created: string;
  expires_at: string;
  used_by: string | null;
}

/** What a session remembers about how it was made, so membership can be checked again later. */
export interface SessionAuthState {
  accessToken?: string;
  refreshToken?: string;
  /** GitHub: the scopes granted at sign-in. */
  grantedScopes?: string[];
  /** OIDC: the `sub` claim, checked again on refresh. */
  subject?: string;
  /** The identity's login at the provider (for messages). */
  login: string;
}

export interface SessionAuthRow {
  id: string;
  user_id: number;
  provider: string | null;
  auth_state: SessionAuthState | null;
  checked_at: string | null;
}

/** The sign-in tables of migration 5: identities, local accounts, invites, and session auth state. */
export class AuthStore {
  /**
   * `sealKey` (32 bytes) encrypts session auth state (provider access and refresh tokens) with
   * AES-256-GCM before it reaches the database file; without it state is neither written nor read.
   */
  constructor(
    readonly db: Db,
    private readonly sealKey?: Buffer,
  ) {}

  private seal(state: SessionAuthState): string | null {
    if (!this.sealKey) return null;
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
    return `v1:${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
  }

  private open(sealed: string | null): SessionAuthState | null {
    if (!sealed || !this.sealKey || !sealed.startsWith('v1:')) return null;
    try {
      const [iv, tag, body] = sealed
        .slice(3)
        .split('.')
        .map((p) => Buffer.from(p, 'base64url'));
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.sealKey, iv as Buffer);
      decipher.setAuthTag(tag as Buffer);
      const text = Buffer.concat([decipher.update(body as Buffer), decipher.final()]).toString('utf8');
      return JSON.parse(text) as SessionAuthState;
    } catch {
      // Sealed under another secret (the secrets file was replaced): nothing usable.
      return null;
    }
  }

  identityOf(provider: string, subject: string): IdentityRow | undefined {
    return this.db
      .prepare('SELECT * FROM identities WHERE provider = ? AND subject = ?')
      .get(provider, subject) as IdentityRow | undefined;
  }
  identitiesOfUser(userId: number): IdentityRow[] {
    return this.db
      .prepare('SELECT * FROM identities WHERE user_id = ? ORDER BY id')
      .all(userId) as IdentityRow[];
  }
  /**
   * Forgets which provider accounts own which users, for a provider whose accounts now come from
   * somewhere else (another issuer or GitHub server): the same subject there may be someone else.
   */
  forgetProvider(provider: string): number {
    return this.db.prepare('DELETE FROM identities WHERE provider = ?').run(provider).changes;
  }

  linkIdentity(userId: number, provider: string, subject: string, login: string): void {
    this.db
      .prepare(
        `INSERT INTO identities (user_id, provider, subject, login, created, last_login) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(provider, subject) DO UPDATE SET login = excluded.login, last_login = excluded.last_login`,
      )
      .run(userId, provider, subject, login, now(), now());
  }

  // local accounts
  localAccount(name: string): LocalAccountRow | undefined {
    return this.db.prepare('SELECT * FROM local_accounts WHERE name = ?').get(name) as
      LocalAccountRow | undefined;
  }
  pendingAccounts(): LocalAccountRow[] {
    return this.db
      .prepare("SELECT * FROM local_accounts WHERE status = 'pending' ORDER BY created")
      .all() as LocalAccountRow[];
  }
  putLocalAccount(a: Omit<LocalAccountRow, 'created' | 'updated'>): void {
    this.db
      .prepare(
        `INSERT INTO local_accounts (name, user_id, password_hash, status, created, updated) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET user_id = excluded.user_id, password_hash = excluded.password_hash,
           status = excluded.status, updated = excluded.updated`,
      )
      .run(a.name, a.user_id, a.password_hash, a.status, now(), now());
  }
  deleteLocalAccount(name: string): void {
    this.db.prepare('DELETE FROM local_accounts WHERE name = ?').run(name);
  }
  activeLocalAdmins(): number {
    const r = this.db
      .prepare(
        "SELECT COUNT(*) AS n FROM local_accounts a JOIN users u ON u.id = a.user_id WHERE a.status = 'active' AND u.admin = 1",
      )
      .get() as { n: number };
    return r.n;
  }

  // invites
  insertInvite(tokenHash: string, createdBy: string, expiresAt: string): number {
    const info = this.db
      .prepare('INSERT INTO invites (token_hash, created_by, created, expires_at) VALUES (?, ?, ?, ?)')
      .run(tokenHash, createdBy, now(), expiresAt);
    return Number(info.lastInsertRowid);
  }
  inviteByHash(tokenHash: string): InviteRow | undefined {
    return this.db.prepare('SELECT * FROM invites WHERE token_hash = ?').get(tokenHash) as
      InviteRow | undefined;
  }
  /** Marks an unused, unexpired invite used; false when someone else was first or it expired. */
  useInvite(id: number, name: string): boolean {
    const info = this.db
      .prepare('UPDATE invites SET used_by = ? WHERE id = ? AND used_by IS NULL AND expires_at > ?')
      .run(name, id, now());
    return info.changes === 1;
  }

  // session auth state
  setSessionAuth(sessionId: string, provider: string, state: SessionAuthState): void {
    this.db
      .prepare('UPDATE sessions SET provider = ?, auth_state = ?, checked_at = ? WHERE id = ?')
      .run(provider, this.seal(state), now(), sessionId);
  }
  sessionAuth(sessionId: string): SessionAuthRow | undefined {
    const r = this.db
      .prepare('SELECT id, user_id, provider, auth_state, checked_at FROM sessions WHERE id = ?')
      .get(sessionId) as (Omit<SessionAuthRow, 'auth_state'> & { auth_state: string | null }) | undefined;
    if (!r) return undefined;
    return { ...r, auth_state: this.open(r.auth_state) };
  }
  markChecked(sessionId: string, state?: SessionAuthState): void {
    if (state)
      this.db
        .prepare('UPDATE sessions SET checked_at = ?, auth_state = ? WHERE id = ?')
        .run(now(), this.seal(state), sessionId);
    else this.db.prepare('UPDATE sessions SET checked_at = ? WHERE id = ?').run(now(), sessionId);
  }
  sessionIdsOfUser(userId: number): string[] {
    return (this.db.prepare('SELECT id FROM sessions WHERE user_id = ?').all(userId) as { id: string }[]).map(
      (r) => r.id,
    );
  }
}

/** The key that seals session auth state, derived from the hub's cookie secret. */
export function authStateKey(signer: { tag(data: string): string }): Buffer {
  return Buffer.from(signer.tag('session-auth-state-key'), 'base64url');
}
