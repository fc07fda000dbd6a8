import type { Db } from './database.js';

export interface GroupRow {
  id: number;
  name: string;
  properties: Record<string, unknown>;
}

type Row = { id: number; name: string; properties: string };
const toGroup = (r: Row): GroupRow => ({
  ...r,
  properties: JSON.parse(r.properties) as Record<string, unknown>,
});

/** Groups and their members. */
export class GroupStore {
  constructor(private readonly db: Db) {}

  list(): GroupRow[] {
    return (this.db.prepare('SELECT * FROM groups ORDER BY id').all() as Row[]).map(toGroup);
  }
  get(name: string): GroupRow | undefined {
    const r = this.db.prepare('SELECT * FROM groups WHERE name = ?').get(name) as Row | undefined;
    return r && toGroup(r);
  }
  create(name: string): GroupRow {
    this.db.prepare('INSERT INTO groups (name) VALUES (?)').run(name);
    return this.get(name) as GroupRow;
  }
  delete(id: number): void {
    this.db.prepare('DELETE FROM groups WHERE id = ?').run(id);
  }
  setProperties(id: number, properties: Record<string, unknown>): void {
    this.db.prepare('UPDATE groups SET properties = ? WHERE id = ?').run(JSON.stringify(properties), id);
  }
  addMembers(groupId: number, userIds: number[]): void {
    const stmt = this.db.prepare('INSERT OR IGNORE INTO user_groups (user_id, group_id) VALUES (?, ?)');
    this.db.transaction(() => userIds.forEach((u) => stmt.run(u, groupId)))();
  }
  removeMembers(groupId: number, userIds: number[]): void {
    const stmt = this.db.prepare('DELETE FROM user_groups WHERE user_id = ? AND group_id = ?');
    this.db.transaction(() => userIds.forEach((u) => stmt.run(u, groupId)))();
  }
  /** Replaces a user's memberships with exactly these groups (which must exist). */
  setGroupsOfUser(userId: number, groupIds: number[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM user_groups WHERE user_id = ?').run(userId);
      const stmt = this.db.prepare('INSERT INTO user_groups (user_id, group_id) VALUES (?, ?)');
      groupIds.forEach((g) => stmt.run(userId, g));
    })();
  }
  memberNames(groupId: number): string[] {
    const rows = this.db
      .prepare(
        'SELECT u.name FROM users u JOIN user_groups ug ON ug.user_id = u.id WHERE ug.group_id = ? ORDER BY u.id',
      )
      .all(groupId) as { name: string }[];
    return rows.map((r) => r.name);
  }
  /** Every user's group names in one query (for lists, instead of one query per user). */
  groupNamesByUser(): Map<number, string[]> {
    const rows = this.db
      .prepare(
        'SELECT ug.user_id AS user_id, g.name AS name FROM user_groups ug JOIN groups g ON g.id = ug.group_id ORDER BY g.id',
      )
      .all() as { user_id: number; name: string }[];
    const out = new Map<number, string[]>();
    for (const r of rows) {
      const list = out.get(r.user_id);
      if (list) list.push(r.name);
      else out.set(r.user_id, [r.name]);
    }
    return out;
  }
  groupNamesOf(userId: number): string[] {
    const rows = this.db
      .prepare(
        'SELECT g.name FROM groups g JOIN user_groups ug ON ug.group_id = g.id WHERE ug.user_id = ? ORDER BY g.id',
      )
      .all(userId) as { name: string }[];
    return rows.map((r) => r.name);
  }
}
