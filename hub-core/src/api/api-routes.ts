import express, { type Request, type Response, Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { ProgressEvent } from '../events.js';
import { type Auth, allows, authOf, checkXsrf } from '../http/auth-context.js';
import { serverPrefix } from '../spawner/names.js';
import type { UserRow } from '../store/store.js';
import { userModel } from './models.js';

const SLOW_SPAWN_MS = 10_000;

function requireAuth(res: Response): Auth {
  const auth = authOf(res);
  if (!auth)
    throw new HubError(
      403,
      'no-credentials',
      'Forbidden: this call needs a valid token or a signed-in browser.',
    );
  return auth;
}

/** Scope check with JupyterHub's 403-vs-404 rule: no such scope at all → 403, filtered away → 404. */
function need(auth: Auth, scope: string, user: string, server?: string): void {
  if (allows(auth.scopes, scope, user, server)) return;
  const base = (s: string) => s.split('!')[0];
  if (auth.scopes.some((s) => base(s) === scope)) {
    throw new HubError(404, 'no-access', 'No access to resources or resources not found.');
  }
  const kind = auth.token?.kind === 'server' ? " (this is a single-user server's own token)" : '';
  throw new HubError(
    403,
    'missing-scope',
    `Action is not authorized with current scopes${kind}; requires any of [${scope}].`,
  );
}

function targetUser(ctx: HubContext, req: Request): UserRow {
  const user = ctx.store.getUser(String(req.params.name));
  if (!user) throw new HubError(404, 'no-user', 'Not Found');
  return user;
}

/** The hub API the single-user servers and the pages need; issue 3 grows it to the full REST API. */
export function apiRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = express.json({ limit: '1mb', strict: false });
  const version = { version: ctx.config.jupyterhubVersion };

  r.get(['/hub/api', '/hub/api/'], (_req, res) => {
    res.set('access-control-allow-origin', '*').json(version);
  });
  r.get(['/hub/health', '/hub/api/health'], (_req, res) => {
    res.status(200).end();
  });

  r.get('/hub/api/user', (req, res) => {
    const auth = requireAuth(res);
    res.json({
      ...userModel(ctx.store, auth.user),
      session_id: auth.token?.session_id ?? auth.session?.id ?? null,
      scopes: [...auth.scopes].sort(),
      token_id: auth.token ? `a${auth.token.id}` : null,
    });
  });

  r.get('/hub/api/users/:name', (req, res) => {
    const auth = requireAuth(res);
    const user = targetUser(ctx, req);
    if (!allows(auth.scopes, 'read:users', user.name) && !allows(auth.scopes, 'read:users:name', user.name)) {
      need(auth, 'read:users', user.name);
    }
    res.json(userModel(ctx.store, user));
  });

  r.post('/hub/api/users/:name/activity', json, (req, res) => {
    const auth = requireAuth(res);
    const user = targetUser(ctx, req);
    need(auth, 'users:activity', user.name);
    checkXsrf(ctx, req, auth);
    const body = req.body as { last_activity?: unknown; servers?: unknown } | undefined;
    if (
      typeof body !== 'object' ||
      body === null ||
      Array.isArray(body) ||
      (!body.last_activity && !body.servers)
    ) {
      throw new HubError(400, 'bad-activity', 'Expected a JSON object with last_activity and/or servers.');
    }
    const parse = (v: unknown, what: string): string => {
      const d = typeof v === 'string' ? new Date(v) : undefined;
      if (!d || Number.isNaN(d.getTime()))
        throw new HubError(400, 'bad-activity', `${what} must be an ISO 8601 timestamp.`);
      if (d.getTime() > Date.now() + 59 * 60_000)
        throw new HubError(400, 'bad-activity', `${what} is in the future.`);
      return d.toISOString();
    };
    if (body.last_activity) ctx.store.touchUser(user.id, parse(body.last_activity, 'last_activity'));
    if (body.servers !== undefined) {
      if (typeof body.servers !== 'object' || body.servers === null) {
        throw new HubError(400, 'bad-activity', 'servers must be an object keyed by server name.');
      }
      for (const [name, info] of Object.entries(
        body.servers as Record<string, { last_activity?: unknown }>,
      )) {
        const server = ctx.store.getServer(user.id, name);
        if (!server)
          throw new HubError(400, 'bad-activity', `No such server '${name}' for user ${user.name}`);
        const ts = parse(info?.last_activity, `servers.${name}.last_activity`);
        if (!server.last_activity || server.last_activity < ts)
          ctx.store.updateServer(server.id, { last_activity: ts });
        ctx.store.touchUser(user.id, ts);
      }
    }
    res.status(200).end();
  });

  r.post('/hub/api/users/:name/server', json, async (req, res) => {
    const auth = requireAuth(res);
    const user = targetUser(ctx, req);
    need(auth, 'servers', user.name, '');
    checkXsrf(ctx, req, auth);
    const options =
      typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? req.body : {};
    await ctx.docker.ensureReachable();
    const { done } = ctx.servers.spawn(user, '', options as Record<string, unknown>);
    const finished = await Promise.race([
      done.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SLOW_SPAWN_MS).unref()),
    ]);
    res
      .status(finished ? 201 : 202)
      .type('text/plain')
      .end();
  });

  r.delete('/hub/api/users/:name/server', async (req, res) => {
    const auth = requireAuth(res);
    const user = targetUser(ctx, req);
    need(auth, 'delete:servers', user.name, '');
    checkXsrf(ctx, req, auth);
    await ctx.servers.stop(user);
    res.status(204).end();
  });

  r.get('/hub/api/users/:name/server/progress', (req, res) => {
    const auth = requireAuth(res);
    const user = targetUser(ctx, req);
    if (!allows(auth.scopes, 'read:servers', user.name) && !allows(auth.scopes, 'servers', user.name)) {
      need(auth, 'read:servers', user.name);
    }
    const server = ctx.store.getServer(user.id);
    const pending = ctx.servers.progressOf(user);
    const failure = ctx.servers.failureEventOf(user);
    if (!pending && server?.status !== 'running' && !failure) {
      throw new HubError(400, 'not-starting', `${user.name}'s server is not starting.`);
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write('\n\n');
    const send = (e: ProgressEvent) => res.write(`data: ${JSON.stringify(e)}\n\n`);
    if (!pending) {
      send(
        server?.status === 'running'
          ? ctx.servers.readyEvent(serverPrefix(user.name))
          : (failure as ProgressEvent),
      );
      res.end();
      return;
    }
    pending.forEach(send);
    const key = `progress:${user.id}/`;
    const keepAlive = setInterval(() => res.write('\n\n'), 8000);
    const onEvent = (e: ProgressEvent) => {
      send(e);
      if (e.ready || e.failed) finish();
    };
    const finish = () => {
      clearInterval(keepAlive);
      ctx.events.off(key, onEvent);
      res.end();
    };
    const last = pending[pending.length - 1];
    if (last?.ready || last?.failed) return finish();
    ctx.events.on(key, onEvent);
    req.on('close', finish);
  });

  return r;
}
