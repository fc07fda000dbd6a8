import { authenticatorClass } from '../auth/login-options.js';
import { Router } from 'express';
import { runDiagnostics } from '../diagnostics.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { caller, bodyObject, findUser, needScope, pageOf, userTarget, jsonBody } from './common.js';
import { visibleUserModel } from './models.js';

const PACKAGE_VERSION = '0.1.0';
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Version, info, health, who-am-I, activity, proxy routes and shutdown. */
export function hubRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = jsonBody('1mb');

  r.get(['/hub/api', '/hub/api/'], (_req, res) => {
    res.set('access-control-allow-origin', '*').json({ version: ctx.config.jupyterhubVersion });
  });
  r.all(['/hub/health', '/hub/api/health'], (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HubError(405, 'method', 'Use GET or HEAD.');
    res.status(200).end();
  });

  r.get('/hub/api/info', (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['read:hub']);
    res.json({
      version: ctx.config.jupyterhubVersion,
      python: null,
      sys_executable: process.execPath,
      teamhub: { version: PACKAGE_VERSION, node: process.version },
      spawner: { class: 'teamhub.DockerSpawner', version: PACKAGE_VERSION },
      authenticator: {
        class: authenticatorClass(ctx),
        version: PACKAGE_VERSION,
      },
    });
  });

  r.get('/hub/api/user', (req, res) => {
    const auth = caller(ctx, req, res);
    res.json({
      ...visibleUserModel(ctx, auth, auth.user),
      session_id: auth.token?.session_id ?? auth.session?.id ?? null,
      token_id: auth.token ? `a${auth.token.id}` : null,
      scopes: [...auth.scopes].sort(),
    });
  });

  r.post('/hub/api/users/:name/activity', json, (req, res) => {
    const auth = caller(ctx, req, res);
    const user = findUser(ctx, String(req.params.name));
    needScope(auth, ['users:activity'], userTarget(ctx, user));
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
      const d = typeof v === 'string' && ISO_8601.test(v) ? new Date(v) : undefined;
      if (!d || Number.isNaN(d.getTime())) {
        throw new HubError(
          400,
          'bad-activity',
          `${what} must be an ISO 8601 timestamp such as 2026-01-31T12:00:00Z, not ${JSON.stringify(v)}.`,
        );
      }
      if (d.getTime() > Date.now() + 59 * 60_000)
        throw new HubError(400, 'bad-activity', `${what} is in the future: ${String(v)}.`);
      // A clock slightly ahead must not pin last_activity in the future (activity only moves forward).
      return new Date(Math.min(d.getTime(), Date.now())).toISOString();
    };
    const updates: { id: number; ts: string }[] = [];
    if (body.servers !== undefined) {
      if (typeof body.servers !== 'object' || body.servers === null || Array.isArray(body.servers)) {
        throw new HubError(400, 'bad-activity', 'servers must be an object keyed by server name.');
      }
      for (const [name, info] of Object.entries(
        body.servers as Record<string, { last_activity?: unknown }>,
      )) {
        const server = ctx.store.getServer(user.id, name);
        if (!server)
          throw new HubError(400, 'bad-activity', `No such server '${name}' for user ${user.name}`);
        updates.push({
          id: server.id,
          ts: parse(info?.last_activity, `servers[${JSON.stringify(name)}].last_activity`),
        });
      }
    }
    const userTs = body.last_activity ? parse(body.last_activity, 'last_activity') : undefined;
    ctx.store.db.transaction(() => {
      if (userTs) ctx.store.touchUser(user.id, userTs);
      for (const u of updates) {
        const server = ctx.store.db.prepare('SELECT last_activity FROM servers WHERE id = ?').get(u.id) as {
          last_activity: string | null;
        };
        if (!server.last_activity || server.last_activity < u.ts)
          ctx.store.updateServer(u.id, { last_activity: u.ts });
        ctx.store.touchUser(user.id, u.ts);
      }
    })();
    res.status(200).end();
  });

  r.get('/hub/api/diagnostics', async (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin-ui', 'read:hub']);
    res.json({
      hub_address: ctx.addressProof() ?? null,
      checks: await runDiagnostics(ctx.config, { running: true, hubAddress: ctx.addressProof() }),
    });
  });

  r.get('/hub/api/proxy', (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['proxy']);
    const page = pageOf(req);
    const hubEntry: [string, unknown] = [
      '/',
      {
        routespec: '/',
        target: `http://${ctx.config.ip}:${ctx.config.port}`,
        data: { hub: true, last_activity: new Date().toISOString() },
      },
    ];
    const userEntries = ctx.routes.list().map((route): [string, unknown] => [
      route.prefix,
      {
        routespec: route.prefix,
        target: route.target,
        data: { user: route.user, server_name: route.server, last_activity: route.lastActivity ?? null },
      },
    ]);
    const all = [hubEntry, ...userEntries];
    const slice = Object.fromEntries(all.slice(page.offset, page.offset + page.limit));
    if (page.paginated) {
      res.type('application/jupyterhub-pagination+json').send(
        JSON.stringify({
          items: slice,
          _pagination: { offset: page.offset, limit: page.limit, total: all.length, next: null },
        }),
      );
      return;
    }
    res.json(slice);
  });

  r.post('/hub/api/proxy', async (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['proxy']);
    await ctx.servers.reconcile();
    res.status(200).end();
  });

  r.post('/hub/api/shutdown', json, (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['shutdown']);
    const body = bodyObject(req);
    for (const k of ['servers', 'proxy']) {
      if (k in body && typeof body[k] !== 'boolean')
        throw new HubError(400, 'bad-shutdown', `${k} must be true or false.`);
    }
    res.status(202).json({ message: 'Shutting down Hub' });
    setImmediate(() => ctx.requestShutdown({ stopServers: body.servers !== false }));
  });

  return r;
}
