import { Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { UserRow } from '../store/store.js';
import {
  bodyObject,
  caller,
  findUser,
  hasScope,
  needScope,
  normalizeName,
  pageOf,
  sendPage,
  userTarget,
  validName,
  jsonBody,
} from './common.js';
import { isActive, userLookup, userModel, visibleUserModel } from './models.js';

const USER_KEYS: Record<string, (v: unknown) => boolean> = {
  name: (v) => typeof v === 'string',
  admin: (v) => typeof v === 'boolean',
  groups: (v) => Array.isArray(v) && v.every((g) => typeof g === 'string'),
  roles: (v) => Array.isArray(v) && v.every((g) => typeof g === 'string'),
  auth_state: (v) => v === null || (typeof v === 'object' && !Array.isArray(v)),
};

/** JupyterHub's user-model check: known keys with the right types, else a 400 naming them. */
function checkUserModel(data: Record<string, unknown>): void {
  const unknown = Object.keys(data).filter((k) => !(k in USER_KEYS));
  if (unknown.length)
    throw new HubError(
      400,
      'bad-user-model',
      `Invalid user model keys: ${unknown.join(', ')} (allowed: ${Object.keys(USER_KEYS).join(', ')}).`,
    );
  for (const [k, valid] of Object.entries(USER_KEYS)) {
    if (k in data && !valid(data[k])) {
      throw new HubError(
        400,
        'bad-user-model',
        `User model field ${k} has the wrong type: ${JSON.stringify(data[k])}.`,
      );
    }
  }
}

const SORTS: Record<string, (u: UserRow) => string | number | null> = {
  id: (u) => u.id,
  name: (u) => u.name,
  last_activity: (u) => u.last_activity,
};

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

export function userRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = jsonBody('1mb');
  const includeStopped = (q: unknown) => q === '' || q === '1' || q === 'true';

  r.get('/hub/api/users', (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['list:users']);
    const state = req.query.state;
    if (state !== undefined && !['active', 'ready', 'inactive'].includes(String(state))) {
      throw new HubError(
        400,
        'bad-state',
        `Unrecognized state filter: '${String(state)}' (use active, ready or inactive).`,
      );
    }
    const sortParam = typeof req.query.sort === 'string' ? req.query.sort : 'id';
    const desc = sortParam.startsWith('-');
    const sortKey = SORTS[desc ? sortParam.slice(1) : sortParam];
    if (!sortKey)
      throw new HubError(
        400,
        'bad-sort',
        `sort must be 'id', 'name', or 'last_activity', not '${sortParam}'`,
      );
    const nameFilter = typeof req.query.name_filter === 'string' ? req.query.name_filter.toLowerCase() : '';
    const page = pageOf(req);
    // Per-user scope checks (and their group look-ups) only when the caller's list:users is filtered:
    // an admin listing 50,000 users must not cost 50,000 queries.
    const listScope = auth.parsed.get('list:users');
    const everyone = listScope === 'all';
    const byGroup = listScope !== undefined && listScope !== 'all' && listScope.group.size > 0;
    const servers = ctx.store.listServers();
    const active = new Set(servers.filter(isActive).map((s) => s.user_id));
    const ready = new Set(servers.filter((s) => s.status === 'running').map((s) => s.user_id));
    const users = ctx.store
      .listUsers()
      .filter(
        (u) =>
          everyone ||
          hasScope(auth, 'list:users', {
            user: u.name,
            ...(byGroup ? { groups: ctx.store.groups.groupNamesOf(u.id) } : {}),
          }),
      )
      .filter((u) => !nameFilter || u.name.toLowerCase().includes(nameFilter))
      .filter((u) =>
        state === 'active'
          ? active.has(u.id)
          : state === 'ready'
            ? ready.has(u.id)
            : state === 'inactive'
              ? !active.has(u.id)
              : true,
      )
      .sort((a, b) => (desc ? -1 : 1) * compare(sortKey(a), sortKey(b)) || a.id - b.id);
    const slice = users.slice(page.offset, page.offset + page.limit);
    const opts = {
      includeStopped: includeStopped(req.query.include_stopped_servers),
      lookup: userLookup(ctx, servers),
    };
    const items = slice.map((u) => visibleUserModel(ctx, auth, u, opts)).filter((m) => m !== undefined);
    if (!page.paginated && users.length > slice.length && page.offset === 0) {
      ctx.log(
        'warn',
        `user list truncated to ${slice.length} of ${users.length}: the client did not ask for pagination`,
      );
      res.set(
        'x-teamhub-truncated',
        `${slice.length} of ${users.length}; send Accept: application/jupyterhub-pagination+json`,
      );
    }
    sendPage(req, res, items, users.length, page);
  });

  r.post('/hub/api/users', json, (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin:users']);
    const data = bodyObject(req);
    const { usernames, ...rest } = data;
    if (usernames !== undefined && !Array.isArray(usernames)) {
      throw new HubError(
        400,
        'no-usernames',
        `usernames must be a list of names, not ${JSON.stringify(usernames)}.`,
      );
    }
    if (!Array.isArray(usernames) || usernames.length === 0) {
      throw new HubError(
        400,
        'no-usernames',
        'Must specify at least one user to create: {"usernames": ["name", ...]}.',
      );
    }
    checkUserModel(rest);
    const admin = rest.admin === true;
    if (admin && !auth.user.admin)
      throw new HubError(403, 'not-admin', 'Only admins can grant admin permissions');
    const invalid: string[] = [];
    const names = usernames.map((n) => {
      try {
        return normalizeName(n);
      } catch (err) {
        invalid.push((err as Error).message.replace(/^Invalid username: /, '').replace(/\.$/, ''));
        return '';
      }
    });
    if (invalid.length)
      throw new HubError(
        400,
        'bad-name',
        `Invalid username${invalid.length > 1 ? 's' : ''}: ${invalid.join(', ')}`,
      );
    const toCreate = [...new Set(names)].filter((n) => !ctx.store.getUser(n));
    if (toCreate.length === 0)
      throw new HubError(409, 'exists', `All ${usernames.length} users already exist`);
    const created = ctx.store.db.transaction(() => toCreate.map((n) => ctx.store.ensureUser(n, admin)))();
    ctx.events.record({
      level: 'info',
      kind: 'users-added',
      user_name: auth.user.name,
      message: `${auth.user.name} added users: ${toCreate.join(', ')}.`,
      details: {},
    });
    res.status(201).json(created.map((u) => userModel(ctx, u)));
  });

  r.get('/hub/api/users/:name', (req, res) => {
    const auth = caller(ctx, req, res);
    const name = String(req.params.name);
    const user = ctx.store.getUser(name);
    needScope(
      auth,
      [
        'read:users',
        'read:users:name',
        'read:servers',
        'read:users:groups',
        'read:users:activity',
        'read:roles:users',
      ],
      user ? userTarget(ctx, user) : { user: name },
    );
    if (!user) throw new HubError(404, 'no-user', `No such user: ${name}`);
    const model = visibleUserModel(ctx, auth, user, {
      includeStopped: includeStopped(req.query.include_stopped_servers),
    });
    res.json(model);
  });

  r.post('/hub/api/users/:name', json, (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin:users']);
    const name = normalizeName(req.params.name);
    if (ctx.store.getUser(name)) throw new HubError(409, 'exists', `User ${name} already exists`);
    const data = bodyObject(req);
    checkUserModel(data);
    if (data.admin === true && !auth.user.admin)
      throw new HubError(403, 'not-admin', 'Only admins can grant admin permissions');
    const user = ctx.store.ensureUser(name, data.admin === true);
    res.status(201).json(userModel(ctx, user));
  });

  r.patch('/hub/api/users/:name', json, (req, res) => {
    const auth = caller(ctx, req, res);
    const user = findUser(ctx, String(req.params.name));
    needScope(auth, ['admin:users'], userTarget(ctx, user));
    const data = bodyObject(req);
    checkUserModel(data);
    // Roles follow from admin, and there is no auth_state here: refuse rather than answer 200 and ignore.
    const roles = ['admin', 'user'].filter((r) => r === 'user' || user.admin);
    if (
      Array.isArray(data.roles) &&
      JSON.stringify([...data.roles].sort()) !== JSON.stringify(roles.sort())
    ) {
      throw new HubError(
        400,
        'roles-unsupported',
        'TeamHub gives roles from the admin flag only: send {"admin": true} or {"admin": false}.',
      );
    }
    if (data.auth_state !== undefined && data.auth_state !== null) {
      throw new HubError(
        400,
        'auth-state-unsupported',
        'TeamHub keeps no auth_state for users, so it cannot be set.',
      );
    }
    if (!auth.user.admin) {
      if (user.admin) throw new HubError(403, 'not-admin', 'Only admins can modify other admins');
      if (data.admin === true)
        throw new HubError(403, 'not-admin', 'Only admins can grant admin permissions');
    }
    const running = ctx.store.serversOf(user.id).some(isActive);
    if (typeof data.name === 'string' && data.name !== user.name) {
      const newName = normalizeName(data.name);
      if (ctx.store.getUser(newName))
        throw new HubError(400, 'exists', `User ${newName} already exists, username must be unique`);
      if (running)
        throw new HubError(400, 'running', `Stop ${user.name}'s servers before renaming the user.`);
    }
    let groupIds: number[] | undefined;
    if (Array.isArray(data.groups)) {
      groupIds = (data.groups as string[]).map((g) => {
        const group = ctx.store.groups.get(g);
        if (!group) throw new HubError(400, 'no-group', `No such group: ${g}`);
        return group.id;
      });
    }
    ctx.store.db.transaction(() => {
      if (typeof data.admin === 'boolean') ctx.store.setAdmin(user.id, data.admin);
      if (typeof data.name === 'string') ctx.store.renameUser(user.id, normalizeName(data.name));
      if (groupIds) ctx.store.groups.setGroupsOfUser(user.id, groupIds);
    })();
    res.json(userModel(ctx, ctx.store.getUserById(user.id) as UserRow));
  });

  r.delete('/hub/api/users/:name', async (req, res) => {
    const auth = caller(ctx, req, res);
    const user = findUser(ctx, validName(req.params.name, 'username'));
    needScope(auth, ['delete:users'], userTarget(ctx, user));
    if (user.id === auth.user.id) throw new HubError(400, 'delete-self', 'Cannot delete yourself!');
    await ctx.servers.removeUser(user);
    ctx.events.record({
      level: 'info',
      kind: 'user-removed',
      user_name: user.name,
      message: `${auth.user.name} removed user ${user.name}; their tokens were revoked and servers stopped.`,
      details: {},
    });
    res.status(204).end();
  });

  return r;
}
