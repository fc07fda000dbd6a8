import { Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { SESSION_COOKIE, sessionFromCookie } from '../http/auth-context.js';
import { appendSetCookie, parseCookies, serializeCookie } from '../http/cookies.js';
import { safeNext } from '../http/next-url.js';
import { caller, needScope } from '../api/common.js';
import { loginPage, type LoginView } from '../pages/login-page.js';
import { anonXsrf } from './anon-xsrf.js';
import { AuthStore } from './auth-store.js';
import { loginOptions } from './login-options.js';
import { canOfferSetup } from './local-routes.js';

// Why a session ended without the person asking (membership lost, an admin signed them out), so
// the sign-in page can say so. In memory: after a restart the page simply asks to sign in.
const endedSessions = new WeakMap<object, Map<string, string>>();

export function rememberEnded(ctx: HubContext, sessionId: string, reason: string): void {
  let m = endedSessions.get(ctx.store);
  if (!m) endedSessions.set(ctx.store, (m = new Map()));
  m.set(sessionId, reason);
  if (m.size > 10_000) m.delete(m.keys().next().value as string);
}

function endedReason(ctx: HubContext, cookie: string | undefined): string | undefined {
  const sid = ctx.signer.verify<string>(cookie);
  return sid ? endedSessions.get(ctx.store)?.get(sid) : undefined;
}

/** Ends every browser session of a user; their OAuth tokens at single-user servers go with them. */
export function endSessionsOf(ctx: HubContext, userId: number, reason: string): number {
  const ids = new AuthStore(ctx.store.db).sessionIdsOfUser(userId);
  for (const id of ids) {
    ctx.store.deleteSession(id);
    rememberEnded(ctx, id, reason);
  }
  return ids.length;
}

export function renderLogin(
  ctx: HubContext,
  req: Parameters<typeof anonXsrf>[1],
  res: Parameters<typeof anonXsrf>[2],
  extra: Partial<LoginView> = {},
): LoginView {
  const options = loginOptions(ctx);
  const local = ctx.config.auth.local;
  return {
    next: safeNext(req.query.next, ''),
    buttons: options.providers.filter((p) => p.kind !== 'local'),
    ...(local.enabled ? { local: { xsrf: anonXsrf(ctx, req, res), signup: options.localSignup } } : {}),
    ...(options.problem ? { noMethod: options.problem } : {}),
    ...(canOfferSetup(ctx, req) ? { setupUrl: '/hub/setup' } : {}),
    ...extra,
  };
}

/** Sign-in page, its JSON twin for the React UI, logout, and "sign out everywhere" for admins. */
export function sessionRoutes(ctx: HubContext): Router {
  const r = Router();

  r.get('/hub/login', (req, res) => {
    const next = safeNext(req.query.next, '');
    if (sessionFromCookie(ctx, req)) return res.redirect(302, next || '/hub/home');
    const ended = endedReason(ctx, parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    res
      .type('html')
      .send(loginPage(renderLogin(ctx, req, res, ended ? { message: `You were signed out: ${ended}` } : {})));
  });

  r.get('/hub/login/options', (_req, res) => {
    res.set('cache-control', 'no-store').json(loginOptions(ctx));
  });

  r.get('/hub/logout', (req, res) => {
    const s = sessionFromCookie(ctx, req);
    // Deleting the session also revokes the OAuth tokens single-user servers got for it.
    if (s) ctx.store.deleteSession(s.session.id);
    appendSetCookie(res, serializeCookie(SESSION_COOKIE, '', { path: '/hub/', maxAgeSeconds: 0 }));
    res.type('html').send(loginPage(renderLogin(ctx, req, res, { message: 'You are signed out.' })));
  });

  // Not in JupyterHub's API: ends all of a user's browser sessions (and their servers' OAuth tokens).
  r.delete('/hub/api/users/:name/sessions', (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin:users']);
    const user = ctx.store.getUser(req.params.name);
    if (!user) throw new HubError(404, 'no-user', `There is no user ${req.params.name}.`);
    const n = endSessionsOf(ctx, user.id, `an admin (${auth.user.name}) signed you out everywhere.`);
    ctx.events.record({
      level: 'info',
      kind: 'logout-everywhere',
      user_name: user.name,
      message: `${auth.user.name} signed ${user.name} out everywhere (${n} session${n === 1 ? '' : 's'}).`,
      details: { by: auth.user.name, sessions: n },
    });
    res.status(204).end();
  });

  return r;
}
