/**
 * JupyterHub's scopes (RBAC), as the REST API and its clients expect them: names, the subscopes each
 * one implies, the `!user=` / `!server=` / `!group=` filters, the default roles, and intersection of
 * a token's scopes with its owner's.
 */

/** Each scope and the scopes it implies (JupyterHub 5's definitions, without shares). */
export const SCOPE_DEFINITIONS: Record<string, string[]> = {
  'admin-ui': [],
  'admin:users': ['admin:auth_state', 'users', 'read:roles:users', 'delete:users'],
  'admin:auth_state': [],
  users: ['read:users', 'list:users', 'users:activity'],
  'delete:users': [],
  'list:users': ['read:users:name'],
  'read:users': ['read:users:name', 'read:users:groups', 'read:users:activity'],
  'read:users:name': [],
  'read:users:groups': [],
  'read:users:activity': [],
  'read:roles': ['read:roles:users', 'read:roles:services', 'read:roles:groups'],
  'read:roles:users': [],
  'read:roles:services': [],
  'read:roles:groups': [],
  'users:activity': ['read:users:activity'],
  'admin:servers': ['admin:server_state', 'servers'],
  'admin:server_state': [],
  servers: ['read:servers', 'delete:servers'],
  'read:servers': ['read:users:name'],
  'delete:servers': [],
  tokens: ['read:tokens'],
  'read:tokens': [],
  'admin:groups': ['groups', 'read:roles:groups', 'delete:groups'],
  groups: ['read:groups', 'list:groups'],
  'list:groups': ['read:groups:name'],
  'read:groups': ['read:groups:name'],
  'read:groups:name': [],
  'delete:groups': [],
  'list:services': ['read:services:name'],
  'read:services': ['read:services:name'],
  'read:services:name': [],
  'read:hub': [],
  'access:servers': [],
  'access:services': [],
  proxy: [],
  shutdown: [],
  'read:metrics': [],
};

const SELF_SCOPES = [
  'read:users',
  'read:users:name',
  'read:users:groups',
  'users:activity',
  'read:users:activity',
  'servers',
  'delete:servers',
  'read:servers',
  'tokens',
  'read:tokens',
  'access:servers',
];

export const ADMIN_ROLE_SCOPES = [
  'admin-ui',
  'admin:users',
  'admin:servers',
  'tokens',
  'admin:groups',
  'list:services',
  'read:services',
  'read:hub',
  'proxy',
  'shutdown',
  'access:services',
  'access:servers',
  'read:roles',
  'read:metrics',
];

/** Metascopes a token may carry besides real scope names. */
const METASCOPES = new Set(['self', 'inherit', 'all']);
const FILTER = /^(user|server|group)(=(.+))?$/;

export type ScopeProblem = { scope: string; problem: string };

/** Why a raw scope string is not acceptable, or undefined when it is. */
export function scopeProblem(scope: string): string | undefined {
  const [base, ...filter] = scope.split('!');
  if (!base || (!(base in SCOPE_DEFINITIONS) && !METASCOPES.has(base))) return `unknown scope "${base}"`;
  if (filter.length > 1) return 'only one !filter is allowed';
  const f = filter[0];
  if (f !== undefined && !FILTER.test(f)) return `unknown filter "!${f}" (use !user=, !server= or !group=)`;
  if (f !== undefined && METASCOPES.has(base)) return `the metascope ${base} takes no filter`;
  return undefined;
}

export interface ScopeOwner {
  name: string;
  /** Scopes the owner holds, for `inherit`. */
  scopes?: () => Set<string>;
}

/** Resolves metascopes, bare filters (`!user` = the owner) and subscopes into the full set. */
export function expandScopes(raw: Iterable<string>, owner?: ScopeOwner): Set<string> {
  const out = new Set<string>();
  const add = (base: string, filter: string) => {
    const key = `${base}${filter}`;
    if (out.has(key)) return;
    out.add(key);
    for (const sub of SCOPE_DEFINITIONS[base] ?? []) add(sub, filter);
  };
  for (const scope of raw) {
    const [base = '', f] = scope.split('!');
    if (base === 'self') {
      if (owner) for (const s of SELF_SCOPES) add(s, `!user=${owner.name}`);
      continue;
    }
    if (base === 'inherit' || base === 'all') {
      for (const s of owner?.scopes?.() ?? []) out.add(s);
      continue;
    }
    let filter = f ? `!${f}` : '';
    if (f === 'user' && owner) filter = `!user=${owner.name}`;
    if (f === 'server' && owner) filter = `!user=${owner.name}`;
    if (base in SCOPE_DEFINITIONS) add(base, filter);
  }
  return out;
}

export type Filters = 'all' | { user: Set<string>; server: Set<string>; group: Set<string> };

export function parseScopes(expanded: Iterable<string>): Map<string, Filters> {
  const parsed = new Map<string, Filters>();
  for (const scope of expanded) {
    const [base = '', f] = scope.split('!');
    if (!f) {
      parsed.set(base, 'all');
      continue;
    }
    let entry = parsed.get(base);
    if (entry === 'all') continue;
    if (!entry) {
      entry = { user: new Set(), server: new Set(), group: new Set() };
      parsed.set(base, entry);
    }
    const m = FILTER.exec(f);
    if (m?.[3]) entry[m[1] as 'user' | 'server' | 'group'].add(m[3]);
  }
  return parsed;
}

export interface Target {
  user?: string;
  /** `user/server`, '' for the default server. */
  server?: string;
  /** Groups of the target user (for `!group=` filters). */
  groups?: string[];
  /** A group resource. */
  group?: string;
}

/** 'yes' when a scope covers the target, 'filtered' when the scope is held for other targets only, else 'no'. */
export function check(
  parsed: Map<string, Filters>,
  base: string,
  target: Target = {},
): 'yes' | 'filtered' | 'no' {
  const f = parsed.get(base);
  if (!f) return 'no';
  if (f === 'all') return 'yes';
  const user = target.user ?? target.server?.split('/')[0];
  if (user !== undefined && f.user.has(user)) return 'yes';
  if (target.server !== undefined && f.server.has(target.server)) return 'yes';
  if (target.group !== undefined && f.group.has(target.group)) return 'yes';
  if (target.groups?.some((g) => f.group.has(g))) return 'yes';
  return 'filtered';
}

/**
 * What a token may really do: its scopes, limited to what its owner holds. A filter on one side is
 * kept where the other side's filter includes it (a server of a user, a user of a group).
 */
export function intersectScopes(
  token: Set<string>,
  owner: Set<string>,
  groupsOf: (user: string) => string[] = () => [],
): Set<string> {
  const a = parseScopes(token);
  const b = parseScopes(owner);
  const out = new Set<string>();
  for (const [base, fa] of a) {
    const fb = b.get(base);
    if (!fb) continue;
    if (fa === 'all' && fb === 'all') {
      out.add(base);
      continue;
    }
    const [narrow, wide] = fa === 'all' ? [fb, fa] : [fa, fb];
    if (narrow === 'all') continue;
    const covers = (t: Target) => (wide === 'all' ? true : check(new Map([[base, wide]]), base, t) === 'yes');
    for (const u of narrow.user) if (covers({ user: u, groups: groupsOf(u) })) out.add(`${base}!user=${u}`);
    for (const s of narrow.server) {
      const u = s.split('/')[0] ?? '';
      if (covers({ server: s, groups: groupsOf(u) })) out.add(`${base}!server=${s}`);
    }
    for (const g of narrow.group) if (covers({ group: g })) out.add(`${base}!group=${g}`);
    // A wide side filtered by user, narrow side by group: keep the users of that group the wide side names.
    if (wide !== 'all') {
      for (const u of wide.user)
        if (groupsOf(u).some((g) => narrow.group.has(g))) out.add(`${base}!user=${u}`);
    }
  }
  return out;
}

/** The scopes a user holds through the default roles (`user` for everyone, `admin` for admins). */
export function userScopes(user: { name: string; admin: boolean }): Set<string> {
  const raw = ['self', ...(user.admin ? ADMIN_ROLE_SCOPES : [])];
  return expandScopes(raw, { name: user.name });
}

/** Identify scopes every token carries for its owner (JupyterHub's `(no_scope)` resolution). */
export function identifyScopes(user: string): string[] {
  return [`read:users:name!user=${user}`, `read:users:groups!user=${user}`];
}
