import fs from 'node:fs';
import { type Request, type Response, Router } from 'express';
import type { HubContext } from '../context.js';
import { problemPage } from '../pages/pages.js';
import { serverPrefix } from '../spawner/names.js';
import type { UserRow } from '../store/store.js';
import { userScopes } from '../scopes.js';
import { type Auth, authFor, sessionFromCookie } from './auth-context.js';

function requireLogin(
  ctx: HubContext,
  req: Request,
  res: Response,
): { user: UserRow; auth: Auth } | undefined {
  const s = sessionFromCookie(ctx, req);
  if (!s) {
    // After sign-in a form action cannot be replayed as a GET: send people home instead.
    const next = req.method === 'GET' ? req.originalUrl : '/hub/home';
    res.redirect(302, `/hub/login?next=${encodeURIComponent(next)}`);
    return undefined;
  }
  return {
    user: s.user,
    auth: authFor(s.user, userScopes(s.user), { via: 'cookie', session: s.session }),
  };
}

/** Server-rendered pages: home, start/stop, spawn progress. (The React UI replaces them in issue 5.) */
export function pageRoutes(ctx: HubContext): Router {
  const r = Router();

  // Single-user pages show the hub's logo from here (JupyterHub's /hub/logo).
  // (Compiled code lives under dist/, the source beside assets/: both resolve to <repo>/assets.)
  const logo = fs.readFileSync(new URL('../../../assets/logo.svg', import.meta.url.replace('/dist/', '/')));
  r.get('/hub/logo', (_req, res) => {
    res.type('image/svg+xml').set('cache-control', 'max-age=86400').send(logo);
  });

  r.get(['/', '/hub', '/hub/'], (req, res) => {
    res.redirect(302, sessionFromCookie(ctx, req) ? '/hub/home' : '/hub/login');
  });

  // /hub/user/<name>/<path>: where JupyterHub sends people to reach a server that may not run yet.
  r.get(/^\/hub\/user\/([^/]+)(\/.*)?$/, (req, res) => {
    const who = requireLogin(ctx, req, res);
    if (!who) return;
    const params = req.params as unknown as Record<string, string | undefined>;
    const name = params[0] ?? '';
    const rest = params[1] ?? '/';
    const target = ctx.store.getUser(name);
    const server = target && ctx.store.getServer(target.id);
    if (target && server?.status === 'running') {
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      return res.redirect(302, `${serverPrefix(target.name).slice(0, -1)}${rest}${query}`);
    }
    res.redirect(302, '/hub/home');
  });

  // /user/... reaches the hub only when no route exists: the server is not running.
  r.all(/^\/user\/([^/]+)(\/.*)?$/, (req, res) => {
    const params = req.params as unknown as Record<string, string | undefined>;
    const name = params[0] ?? '';
    // Field case F17: say why it stopped (no logs here: this path does not carry the hub session).
    const user = ctx.store.getUser(name);
    const server = user ? ctx.store.getServer(user.id) : undefined;
    const why = server?.status === 'failed' && server.failure ? ` ${server.failure.message}` : '';
    const message = `No server is running at /user/${name}/.${why}`;
    if (/\/api(\/|$)/.test(req.path) || req.method !== 'GET') {
      res.status(404).json({ status: 404, message });
      return;
    }
    res
      .status(404)
      .type('html')
      .send(
        problemPage(404, {
          title: 'Server not running',
          message,
          fix: 'Start it again from the TeamHub home page; your files are kept.',
          actions: '<p><a class="button" id="start-from-404" href="/hub/home">Start my server</a></p>',
        }),
      );
  });

  return r;
}
