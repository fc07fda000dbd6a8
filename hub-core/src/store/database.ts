import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HubError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * Each SQL text is compiled once and its statement reused: the store prepares in every call, and
 * preparing was the top of the API's CPU profile (a 200-user page prepares ~600 times). The store
 * never binds, plucks or iterates a statement, so sharing one is safe; the cap only guards against
 * SQL built from data.
 */
function reusePreparedStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (cache.size < 1000) cache.set(sql, stmt);
    }
    return stmt;
  }) as Db['prepare'];
}

/** Opens (creating if needed) the hub's SQLite file and brings its schema up to date. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new HubError(500, 'db-open', `Cannot open the database ${file}: ${(err as Error).message}.`, {
      fix: 'Check that the data folder is writable, or choose another with --data-dir.',
    });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const applied = db.pragma('user_version', { simple: true }) as number;
    if (applied > MIGRATIONS.length) {
      db.close();
      throw new HubError(
        500,
        'db-too-new',
        `The database ${file} was written by a newer TeamHub (schema ${applied}, this one knows ${MIGRATIONS.length}).`,
        { fix: 'Upgrade TeamHub, or point --data-dir at another folder.' },
      );
    }
    for (let i = applied; i < MIGRATIONS.length; i++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[i] as string);
        db.pragma(`user_version = ${i + 1}`);
      })();
    }
  } catch (err) {
    if (err instanceof HubError) throw err;
    db.close();
    const code = (err as { code?: string }).code ?? 'error';
    throw new HubError(
      500,
      'db-damaged',
      `The database ${file} cannot be used (${code}: ${(err as Error).message}).`,
      {
        fix: 'If it is damaged, move it away to start afresh (users and tokens are then lost), or restore a backup.',
      },
    );
  }
  reusePreparedStatements(db);
  return db;
}
