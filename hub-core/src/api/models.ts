import type { ServerManager } from '../servers.js';
import { serverPrefix } from '../spawner/names.js';
import type { ServerRow, Store, UserRow } from '../store/store.js';

const pendingOf = (s: ServerRow | undefined) =>
  s?.status === 'spawning' ? 'spawn' : s?.status === 'stopping' ? 'stop' : null;
const activeOf = (s: ServerRow | undefined) =>
  !!s && (s.status === 'running' || s.status === 'spawning' || s.status === 'stopping');

/** JupyterHub's server model (hub-protocol.md §2.3). */
export function serverModel(user: UserRow, s: ServerRow) {
  const prefix = serverPrefix(user.name, s.name);
  const progressPath = s.name ? `servers/${encodeURIComponent(s.name)}` : 'server';
  return {
    name: s.name,
    full_name: `${user.name}/${s.name}`,
    last_activity: s.last_activity,
    started: s.started,
    pending: pendingOf(s),
    ready: s.status === 'running',
    stopped: !activeOf(s),
    url: prefix,
    user_options: s.user_options,
    progress_url: `/hub/api/users/${encodeURIComponent(user.name)}/${progressPath}/progress`,
  };
}

/** JupyterHub's user model; `servers` lists active servers only. */
export function userModel(store: Store, user: UserRow) {
  const servers = store.listServers().filter((s) => s.user_id === user.id);
  const def = servers.find((s) => s.name === '');
  return {
    kind: 'user' as const,
    name: user.name,
    admin: user.admin,
    roles: user.admin ? ['admin', 'user'] : ['user'],
    groups: [] as string[],
    server: def?.status === 'running' ? serverPrefix(user.name) : null,
    pending: pendingOf(def),
    created: user.created,
    last_activity: user.last_activity,
    auth_state: null,
    servers: Object.fromEntries(servers.filter(activeOf).map((s) => [s.name, serverModel(user, s)])),
  };
}

export type { ServerManager };
