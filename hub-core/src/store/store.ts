import type { Db } from './database.js';
import { GroupStore } from './groups.js';

export const now = (): string => new Date().toISOString();

export interface UserRow {
  id: number;
  name: string;
  admin: boolean;
  created: string;
  last_activity: string | null;
  /** The Docker volume with the user's files, once one was made. */
  volume: string | null;
  /** 'admin' when an admin added the user (API, CLI, config), 'login' when a sign-in rule did. */
  added_by: 'admin' | 'login';
}

export type ServerStatus = 'stopped' | 'spawning' | 'running' | 'stopping' | 'failed';

export interface ServerFailure {
  message: string;
  reason: string;
  evidence: string[];
  fix?: string;
  exitCode?: number;
  at: string;
}

export interface ServerRow {
  id: number;
  user_id: number;
  name: string;
  status: ServerStatus;
  url: string | null;
  container_id: string | null;
  container_name: string | null;
  started: string | null;
  last_activity: string | null;
  failure: ServerFailure | null;
  user_options: Record<string, unknown>;
}

export type TokenKind = 'api' | 'server' | 'oauth';

export interface TokenRow {
  id: number;
  user_id: number;
  kind: TokenKind;
  prefix: string;
  hashed: string;
  scopes: string[];
  note: string;
  client_id: string | null;
  session_id: string | null;
  created: string;
  expires_at: string | null;
  last_activity: string | null;
}

export interface OAuthClientRow {
  id: string;
  secret_hash: string;
  redirect_uri: string;
  description: string;
  user_id: number | null;
  server_name: string | null;
}

export interface OAuthCodeRow {
  code: string;
  client_id: string;
  user_id: number;
  redirect_uri: string;
  scopes: string[];
  session_id: string | null;
  expires_at: string;
}

export interface SessionRow {
  id: string;
  user_id: number;
  created: string;
  expires_at: string;
}

export interface EventRow {
  id: number;
  ts: string;
  level: 'info' | 'warn' | 'error';
  kind: string;
  user_name: string | null;
  message: string;
  details: Record<string, unknown>;
}

type Row = Record<string, unknown>;

const toUser = (r: Row): UserRow => ({ ...(r as unknown as UserRow), admin: r.admin === 1 });
const toServer = (r: Row): ServerRow => ({
  ...(r as unknown as ServerRow),
  failure: r.failure ? (JSON.parse(r.failure as string) as ServerFailure) : null,
  user_options: JSON.parse((r.user_options as string) || '{}') as Record<string, unknown>,
});
const toToken = (r: Row): TokenRow => ({
  ...(r as unknown as TokenRow),
  scopes: JSON.parse(r.scopes as string) as string[],
});

/** Typed access to the hub's tables. Every method is one short statement or transaction. */
export class Store {
  readonly groups: GroupStore;

  constructor(readonly db: Db) {
    this.groups = new GroupStore(db);
  }

  // users
  getUser(name: string): UserRow | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as Row | undefined;
    return r && toUser(r);
  }
  getUserById(id: number): UserRow | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r && toUser(r);
  }
  listUsers(): UserRow[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY id').all() as Row[]).map(toUser);
  }
  /** Creates the user if missing; `admin` when given is applied either way. */
  ensureUser(name: string, admin?: boolean, addedBy: 'admin' | 'login' = 'admin'): UserRow {
    const existing = this.getUser(name);
    if (!existing) {
      this.db
        .prepare('INSERT INTO users (name, admin, created, added_by) VALUES (?, ?, ?, ?)')
        .run(name, admin ? 1 : 0, now(), addedBy);
    } else if (admin !== undefined && existing.admin !== admin) {
      this.db.prepare('UPDATE users SET admin = ? WHERE id = ?').run(admin ? 1 : 0, existing.id);
    }
    return this.getUser(name) as UserRow;
  }
  setVolume(id: number, volume: string): void {
    this.db.prepare('UPDATE users SET volume = ? WHERE id = ?').run(volume, id);
  }
  setAdmin(id: number, admin: boolean): void {
    this.db.prepare('UPDATE users SET admin = ? WHERE id = ?').run(admin ? 1 : 0, id);
  }
  renameUser(id: number, name: string): void {
    this.db.prepare('UPDATE users SET name = ? WHERE id = ?').run(name, id);
  }
  /** Deletes the user with their servers, tokens, sessions and memberships (cascades). */
  deleteUser(id: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM oauth_clients WHERE user_id = ?').run(id);
      this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
    })();
  }
  touchUser(id: number, ts = now()): void {
    this.db
      .prepare(
        'UPDATE users SET last_activity = ? WHERE id = ? AND (last_activity IS NULL OR last_activity < ?)',
      )
      .run(ts, id, ts);
  }

  // servers
  getServer(userId: number, name = ''): ServerRow | undefined {
    const r = this.db.prepare('SELECT * FROM servers WHERE user_id = ? AND name = ?').get(userId, name) as
      Row | undefined;
    return r && toServer(r);
  }
  listServers(): ServerRow[] {
    return (this.db.prepare('SELECT * FROM servers ORDER BY id').all() as Row[]).map(toServer);
  }
  serversOf(userId: number): ServerRow[] {
    return (this.db.prepare('SELECT * FROM servers WHERE user_id = ? ORDER BY id').all(userId) as Row[]).map(
      toServer,
    );
  }
  deleteServer(id: number): void {
    this.db.prepare('DELETE FROM servers WHERE id = ?').run(id);
  }
  ensureServer(userId: number, name = ''): ServerRow {
    this.db.prepare('INSERT OR IGNORE INTO servers (user_id, name) VALUES (?, ?)').run(userId, name);
    return this.getServer(userId, name) as ServerRow;
  }
  updateServer(id: number, patch: Partial<Omit<ServerRow, 'id' | 'user_id' | 'name'>>): void {
    const cols: string[] = [];
    const values: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      cols.push(`${k} = ?`);
      values.push(k === 'failure' || k === 'user_options' ? (v === null ? null : JSON.stringify(v)) : v);
    }
    if (cols.length === 0) return;
    this.db.prepare(`UPDATE servers SET ${cols.join(', ')} WHERE id = ?`).run(...values, id);
  }

  // tokens
  insertToken(t: Omit<TokenRow, 'id' | 'last_activity'>): number {
    const info = this.db
      .prepare(
        `INSERT INTO api_tokens (user_id, kind, prefix, hashed, scopes, note, client_id, session_id, created, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        t.user_id,
        t.kind,
        t.prefix,
        t.hashed,
        JSON.stringify(t.scopes),
        t.note,
        t.client_id,
        t.session_id,
        t.created,
        t.expires_at,
      );
    return Number(info.lastInsertRowid);
  }
  tokensWithPrefix(prefix: string): TokenRow[] {
    return (this.db.prepare('SELECT * FROM api_tokens WHERE prefix = ?').all(prefix) as Row[]).map(toToken);
  }
  tokensOf(userId: number): TokenRow[] {
    return (
      this.db.prepare('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY id').all(userId) as Row[]
    ).map(toToken);
  }
  getToken(id: number): TokenRow | undefined {
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as Row | undefined;
    return r && toToken(r);
  }
  touchToken(id: number, ts = now()): void {
    this.db.prepare('UPDATE api_tokens SET last_activity = ? WHERE id = ?').run(ts, id);
  }
  deleteToken(id: number): void {
    this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id);
  }
  deleteTokensOfClient(clientId: string): void {
    this.db.prepare('DELETE FROM api_tokens WHERE client_id = ?').run(clientId);
  }
  deleteTokensOfSession(sessionId: string): void {
    this.db.prepare('DELETE FROM api_tokens WHERE session_id = ?').run(sessionId);
  }
  deleteExpiredTokens(ts = now()): void {
    this.db.prepare('DELETE FROM api_tokens WHERE expires_at IS NOT NULL AND expires_at <= ?').run(ts);
  }

  // OAuth clients and codes (the hub as OAuth provider for single-user servers)
  upsertOAuthClient(c: OAuthClientRow): void {
    this.db
      .prepare(
        `INSERT INTO oauth_clients (id, secret_hash, redirect_uri, description, user_id, server_name)
         VALUES (@id, @secret_hash, @redirect_uri, @description, @user_id, @server_name)
         ON CONFLICT(id) DO UPDATE SET secret_hash = excluded.secret_hash, redirect_uri = excluded.redirect_uri,
           description = excluded.description, user_id = excluded.user_id, server_name = excluded.server_name`,
      )
      .run(c);
  }
  getOAuthClient(id: string): OAuthClientRow | undefined {
    return this.db.prepare('SELECT * FROM oauth_clients WHERE id = ?').get(id) as OAuthClientRow | undefined;
  }
  /** Removing a client also revokes every token issued to it. */
  deleteOAuthClient(id: string): void {
    this.db.transaction(() => {
      this.deleteTokensOfClient(id);
      this.db.prepare('DELETE FROM oauth_clients WHERE id = ?').run(id);
    })();
  }
  insertOAuthCode(c: OAuthCodeRow): void {
    this.db
      .prepare(
        `INSERT INTO oauth_codes (code, client_id, user_id, redirect_uri, scopes, session_id, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.code,
        c.client_id,
        c.user_id,
        c.redirect_uri,
        JSON.stringify(c.scopes),
        c.session_id,
        c.expires_at,
      );
  }
  /** Codes are single use: reading one deletes it. */
  takeOAuthCode(code: string): OAuthCodeRow | undefined {
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT * FROM oauth_codes WHERE code = ?').get(code) as Row | undefined;
      if (!r) return undefined;
      this.db.prepare('DELETE FROM oauth_codes WHERE code = ?').run(code);
      return { ...(r as unknown as OAuthCodeRow), scopes: JSON.parse(r.scopes as string) as string[] };
    })();
  }

  // browser sessions
  createSession(s: SessionRow): void {
    this.db
      .prepare('INSERT INTO sessions (id, user_id, created, expires_at) VALUES (?, ?, ?, ?)')
      .run(s.id, s.user_id, s.created, s.expires_at);
  }
  getSession(id: string): SessionRow | undefined {
    return this.db.prepare('SELECT * FROM sessions WHERE id = ? AND expires_at > ?').get(id, now()) as
      SessionRow | undefined;
  }
  deleteSession(id: string): void {
    this.db.transaction(() => {
      this.deleteTokensOfSession(id);
      this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
    })();
  }

  // event log
  addEvent(e: Omit<EventRow, 'id' | 'ts'>): EventRow {
    const ts = now();
    const info = this.db
      .prepare('INSERT INTO events (ts, level, kind, user_name, message, details) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ts, e.level, e.kind, e.user_name, e.message, JSON.stringify(e.details));
    return { ...e, id: Number(info.lastInsertRowid), ts };
  }
  listEvents(limit = 200): EventRow[] {
    const rows = this.db.prepare('SELECT * FROM events ORDER BY id DESC LIMIT ?').all(limit) as Row[];
    return rows.map((r) => ({ ...(r as unknown as EventRow), details: JSON.parse(r.details as string) }));
  }
}
