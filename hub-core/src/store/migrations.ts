/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
 * Never edit a migration that has shipped: add a new one.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    admin INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    last_activity TEXT
  );
  CREATE TABLE servers (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'stopped',
    url TEXT,
    container_id TEXT,
    container_name TEXT,
    started TEXT,
    last_activity TEXT,
    failure TEXT,
    user_options TEXT NOT NULL DEFAULT '{}',
    UNIQUE (user_id, name)
  );
  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hashed TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    client_id TEXT,
    session_id TEXT,
    created TEXT NOT NULL,
    expires_at TEXT,
    last_activity TEXT
  );
  CREATE INDEX api_tokens_prefix ON api_tokens(prefix);
  CREATE TABLE oauth_clients (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    description TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    server_name TEXT
  );
  CREATE TABLE oauth_codes (
    code TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    session_id TEXT,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    user_name TEXT,
    message TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
  );
  `,
  `
  CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    properties TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE user_groups (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
  );
  `,
  // 3: a user's volume keeps the name it was made under (renames must not orphan files), and token
  // ids are never reused (a revoked a9 must not come back as someone else's a9).
  `
  ALTER TABLE users ADD COLUMN volume TEXT;
  CREATE TABLE api_tokens_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hashed TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    client_id TEXT,
    session_id TEXT,
    created TEXT NOT NULL,
    expires_at TEXT,
    last_activity TEXT
  );
  INSERT INTO api_tokens_v3 SELECT * FROM api_tokens;
  DROP TABLE api_tokens;
  ALTER TABLE api_tokens_v3 RENAME TO api_tokens;
  CREATE INDEX api_tokens_prefix ON api_tokens(prefix);
  `,
  // 4: who added a user. Users an admin added (API, CLI, config) may sign in; users who were only
  // admitted by a rule at sign-in are not kept allowed by their record once the rule is gone (F06).
  `
  ALTER TABLE users ADD COLUMN added_by TEXT NOT NULL DEFAULT 'login';
  `,
  // 5: sign-in identities and local accounts (issue 7). A hub user is bound to the provider account
  // that first signed in as it, so "alice" at GitHub and "alice" at another provider never merge by
  // accident. Sessions remember how they were made, for auth refresh and logout.
  `
  CREATE TABLE identities (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    login TEXT NOT NULL,
    created TEXT NOT NULL,
    last_login TEXT,
    UNIQUE (provider, subject)
  );
  CREATE TABLE local_accounts (
    name TEXT PRIMARY KEY,
    user_id INTEGER UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
  );
  CREATE TABLE invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by TEXT
  );
  ALTER TABLE sessions ADD COLUMN provider TEXT;
  ALTER TABLE sessions ADD COLUMN auth_state TEXT;
  ALTER TABLE sessions ADD COLUMN checked_at TEXT;
  `,
];
