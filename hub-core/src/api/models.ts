import type { HubContext } from '../context.js';
import type { Auth } from '../http/auth-context.js';
import { check } from '../scopes.js';
import { serverPrefix } from '../spawner/names.js';
import type { ServerRow, TokenRow, UserRow } from '../store/store.js';

const pendingOf = (s: ServerRow | undefined) =>
  s?.status === 'spawning' ? 'spawn' : s?.status === 'stopping' ? 'stop' : null;
export const isActive = (s: ServerRow | undefined) =>
  !!s && (s.status === 'running' || s.status === 'spawning' || s.status === 'stopping');

/** JupyterHub's server model (hub-protocol.md §2.3); `state` only for callers with admin:server_state. */
export function serverModel(user: UserRow, s: ServerRow, withState = false) {
  const prefix = serverPrefix(user.name, s.name);
  const progressPath = s.name ? `servers/${encodeURIComponent(s.name)}` : 'server';
  return {
    name: s.name,
    full_name: `${user.name}/${s.name}`,
    last_activity: s.last_activity,
    started: s.status === 'stopped' || s.status === 'failed' ? null : s.started,
    pending: pendingOf(s),
    ready: s.status === 'running',
    stopped: !isActive(s),
    url: prefix,
    user_options: s.user_options,
    progress_url: `/hub/api/users/${encodeURIComponent(user.name)}/${progressPath}/progress`,
    full_url: null,
    full_progress_url: null,
    ...(withState
      ? { state: s.container_id ? { object_id: s.container_id, object_name: s.container_name } : {} }
      : {}),
  };
}

// Which model fields each scope reveals (JupyterHub's access map for users).
const USER_FIELDS: Record<string, string[]> = {
  'read:users': ['kind', 'name', 'admin', 'roles', 'groups', 'server', 'pending', 'created', 'last_activity'],
  'read:users:name': ['kind', 'name', 'admin'],
  'read:users:groups': ['kind', 'name', 'groups'],
  'read:users:activity': ['kind', 'name', 'last_activity'],
  'read:servers': ['kind', 'name', 'servers'],
  'read:roles:users': ['kind', 'name', 'roles', 'admin'],
  'admin:auth_state': ['kind', 'name', 'auth_state'],
};

export interface UserModelOptions {
  includeStopped?: boolean;
  withState?: boolean;
  /** Prefetched groups and servers, for lists: one query each instead of per user. */
  lookup?: UserLookup;
}

export interface UserLookup {
  groupsOf(userId: number): string[];
  serversOf(userId: number): ServerRow[];
}

/** Everyone's groups and servers, fetched once for a list of users. */
export function userLookup(ctx: HubContext, servers = ctx.store.listServers()): UserLookup {
  const groups = ctx.store.groups.groupNamesByUser();
  const byUser = new Map<number, ServerRow[]>();
  for (const s of servers) {
    const list = byUser.get(s.user_id);
    if (list) list.push(s);
    else byUser.set(s.user_id, [s]);
  }
  return { groupsOf: (id) => groups.get(id) ?? [], serversOf: (id) => byUser.get(id) ?? [] };
}

/** The full user model; `servers` lists active servers unless stopped ones are asked for. */
export function userModel(ctx: HubContext, user: UserRow, o: UserModelOptions = {}): Record<string, unknown> {
  const servers = o.lookup?.serversOf(user.id) ?? ctx.store.serversOf(user.id);
  const def = servers.find((s) => s.name === '');
  return {
    kind: 'user',
    name: user.name,
    admin: user.admin,
    roles: user.admin ? ['admin', 'user'] : ['user'],
    groups: o.lookup?.groupsOf(user.id) ?? ctx.store.groups.groupNamesOf(user.id),
    server: def?.status === 'running' ? serverPrefix(user.name) : null,
    pending: pendingOf(def),
    created: user.created,
    last_activity: user.last_activity,
    auth_state: null,
    servers: Object.fromEntries(
      servers
        .filter((s) => o.includeStopped || isActive(s))
        .map((s) => [s.name, serverModel(user, s, o.withState)]),
    ),
  };
}

/** The user model with only the fields the caller's scopes reveal; undefined when none. */
export function visibleUserModel(
  ctx: HubContext,
  auth: Auth,
  user: UserRow,
  o: UserModelOptions = {},
): Record<string, unknown> | undefined {
  const target = {
    user: user.name,
    groups: o.lookup?.groupsOf(user.id) ?? ctx.store.groups.groupNamesOf(user.id),
  };
  const allowed = new Set<string>();
  for (const [scope, fields] of Object.entries(USER_FIELDS)) {
    if (check(auth.parsed, scope, target) === 'yes') fields.forEach((f) => allowed.add(f));
  }
  if (allowed.size === 0) return undefined;
  const withState = check(auth.parsed, 'admin:server_state', target) === 'yes';
  const full = userModel(ctx, user, { ...o, withState });
  return Object.fromEntries(Object.entries(full).filter(([k]) => allowed.has(k)));
}

export function tokenModel(ctx: HubContext, t: TokenRow, scopes: string[]): Record<string, unknown> {
  const user = ctx.store.getUserById(t.user_id);
  const client = t.client_id ? ctx.store.getOAuthClient(t.client_id) : undefined;
  return {
    user: user?.name ?? null,
    id: `a${t.id}`,
    kind: 'api_token',
    roles: [],
    scopes,
    created: t.created,
    last_activity: t.last_activity,
    expires_at: t.expires_at,
    note: t.note,
    session_id: t.session_id,
    oauth_client: client?.description ?? 'JupyterHub',
  };
}

export function groupModel(
  ctx: HubContext,
  g: { id: number; name: string; properties: Record<string, unknown> },
) {
  return {
    kind: 'group',
    name: g.name,
    roles: [],
    users: ctx.store.groups.memberNames(g.id),
    properties: g.properties,
  };
}
