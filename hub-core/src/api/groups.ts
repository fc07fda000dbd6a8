import { type Request, Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { GroupRow } from '../store/groups.js';
import { bodyObject, caller, hasScope, needScope, pageOf, sendPage, validName, jsonBody } from './common.js';
import { groupModel } from './models.js';

function findGroup(ctx: HubContext, name: string): GroupRow {
  const g = ctx.store.groups.get(name);
  if (!g) throw new HubError(404, 'no-group', `No such group: ${name}`);
  return g;
}

/** Resolves `users` from a body to user ids; unknown names are a 400 naming them. */
function userIds(ctx: HubContext, req: Request, required: boolean): number[] {
  const body = bodyObject(req);
  const users = body.users;
  if (users === undefined && !required) return [];
  if (!Array.isArray(users) || !users.every((u) => typeof u === 'string')) {
    throw new HubError(400, 'bad-users', 'Expected {"users": ["name", ...]}.');
  }
  const missing = users.filter((u) => !ctx.store.getUser(u));
  if (missing.length)
    throw new HubError(400, 'no-user', `No such user${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  return users.map((u) => (ctx.store.getUser(u) as { id: number }).id);
}

export function groupRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = jsonBody('1mb');

  r.get('/hub/api/groups', (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['list:groups']);
    const page = pageOf(req);
    const groups = ctx.store.groups.list().filter((g) => hasScope(auth, 'list:groups', { group: g.name }));
    sendPage(
      req,
      res,
      groups.slice(page.offset, page.offset + page.limit).map((g) => groupModel(ctx, g)),
      groups.length,
      page,
    );
  });

  r.post('/hub/api/groups', json, (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin:groups']);
    const body = bodyObject(req);
    if (!Array.isArray(body.groups) || body.groups.length === 0) {
      throw new HubError(
        400,
        'no-groups',
        'Must specify at least one group to create: {"groups": ["name", ...]}.',
      );
    }
    const names = body.groups.map((g) => validName(g, 'group name'));
    const ids = userIds(ctx, req, false);
    const existing = names.filter((n) => ctx.store.groups.get(n));
    if (existing.length)
      throw new HubError(
        409,
        'exists',
        `Group${existing.length > 1 ? 's' : ''} ${existing.join(', ')} already exist${existing.length > 1 ? '' : 's'}`,
      );
    const created = ctx.store.db.transaction(() =>
      names.map((n) => {
        const g = ctx.store.groups.create(n);
        ctx.store.groups.addMembers(g.id, ids);
        return g;
      }),
    )();
    res.status(201).json(created.map((g) => groupModel(ctx, g)));
  });

  r.get('/hub/api/groups/:group', (req, res) => {
    const auth = caller(ctx, req, res);
    const name = String(req.params.group);
    needScope(auth, ['read:groups', 'read:groups:name'], { group: name });
    res.json(groupModel(ctx, findGroup(ctx, name)));
  });

  r.post('/hub/api/groups/:group', json, (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin:groups']);
    const name = validName(req.params.group, 'group name');
    if (ctx.store.groups.get(name)) throw new HubError(409, 'exists', `Group ${name} already exists`);
    const ids = userIds(ctx, req, false);
    const g = ctx.store.groups.create(name);
    ctx.store.groups.addMembers(g.id, ids);
    res.status(201).json(groupModel(ctx, g));
  });

  r.delete('/hub/api/groups/:group', (req, res) => {
    const auth = caller(ctx, req, res);
    const name = String(req.params.group);
    needScope(auth, ['delete:groups'], { group: name });
    ctx.store.groups.delete(findGroup(ctx, name).id);
    res.status(204).end();
  });

  r.post('/hub/api/groups/:group/users', json, (req, res) => {
    const auth = caller(ctx, req, res);
    const name = String(req.params.group);
    needScope(auth, ['groups'], { group: name });
    const g = findGroup(ctx, name);
    ctx.store.groups.addMembers(g.id, userIds(ctx, req, true));
    res.json(groupModel(ctx, g));
  });

  r.delete('/hub/api/groups/:group/users', json, (req, res) => {
    const auth = caller(ctx, req, res);
    const name = String(req.params.group);
    needScope(auth, ['groups'], { group: name });
    const g = findGroup(ctx, name);
    ctx.store.groups.removeMembers(g.id, userIds(ctx, req, true));
    res.json(groupModel(ctx, g));
  });

  r.put('/hub/api/groups/:group/properties', json, (req, res) => {
    const auth = caller(ctx, req, res);
    const name = String(req.params.group);
    needScope(auth, ['groups'], { group: name });
    const g = findGroup(ctx, name);
    const empty = !req.headers['transfer-encoding'] && Number(req.headers['content-length'] ?? 0) === 0;
    if (empty || typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      throw new HubError(
        400,
        'bad-properties',
        'Send the group properties as a JSON object (an empty body would erase them).',
      );
    }
    if (depthOf(req.body) > MAX_PROPERTY_DEPTH) {
      throw new HubError(
        400,
        'bad-properties',
        `Group properties may nest at most ${MAX_PROPERTY_DEPTH} levels deep.`,
      );
    }
    ctx.store.groups.setProperties(g.id, req.body as Record<string, unknown>);
    res.json(groupModel(ctx, findGroup(ctx, name)));
  });

  return r;
}

const MAX_PROPERTY_DEPTH = 32;

/** How deeply a JSON value nests, counted without recursion (a hostile body may nest 100,000 deep). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    deepest = Math.max(deepest, d);
    if (deepest > MAX_PROPERTY_DEPTH) return deepest;
    if (v && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}
