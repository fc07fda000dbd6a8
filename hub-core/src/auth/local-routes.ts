import express, { type Request, type Response, Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError, isHubError } from '../errors.js';
import { safeNext } from '../http/next-url.js';
import { caller, jsonBody, needScope } from '../api/common.js';
import { formPage, loginPage } from '../pages/login-page.js';
import { h, layout } from '../pages/html.js';
import { randomId } from '../tokens.js';
import { anonXsrf, checkAnonXsrf } from './anon-xsrf.js';
import { AuthStore } from './auth-store.js';
import { teammateHosts } from './settings-routes.js';
import {
  approveAccount,
  checkNewPassword,
  createActiveAccount,
  hashInvite,
  localName,
  requestAccount,
  setPassword,
} from './local-accounts.js';
import { decoyHash, verifyPassword } from './passwords.js';
import { FailureCounter, minutes } from './rate-limit.js';
import { completeSignIn } from './sign-in.js';
import { endSessionsOf, renderLogin } from './session-routes.js';

const counters = new WeakMap<object, { account: FailureCounter; address: FailureCounter }>();
function countersOf(ctx: HubContext) {
  let c = counters.get(ctx.store);
  if (!c) {
    const { maxAttempts, attemptWindowSeconds } = ctx.config.auth.local;
    c = {
      account: new FailureCounter(maxAttempts, attemptWindowSeconds * 1000),
      address: new FailureCounter(maxAttempts * 4, attemptWindowSeconds * 1000),
    };
    counters.set(ctx.store, c);
  }
  return c;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/**
 * The first-run page exists only while local accounts are on and no admin exists, and only for a
 * browser on this machine talking to a loopback name (a web page cannot rebind its way in).
 */
export function canOfferSetup(ctx: HubContext, req: Request): boolean {
  if (!ctx.config.auth.local.enabled) return false;
  const addr = req.socket.remoteAddress ?? '';
  const local = addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
  if (!local || !LOOPBACK_HOST.test(req.get('host') ?? '')) return false;
  return !ctx.store.listUsers().some((u) => u.admin);
}

function requireLocal(ctx: HubContext): void {
  if (!ctx.config.auth.local.enabled) {
    throw new HubError(404, 'local-off', 'Password accounts are turned off on this hub.', {
      fix: 'Use one of the sign-in buttons, or ask the admin to set auth.local.enabled.',
    });
  }
}

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

/** Password sign-in, sign-up awaiting approval, invite links, the owner's first run, and their REST side. */
export function localRoutes(ctx: HubContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  r.post('/hub/login', form, async (req, res) => {
    requireLocal(ctx);
    checkAnonXsrf(ctx, req);
    const typed = typeof body(req).username === 'string' ? (body(req).username as string) : '';
    const password = typeof body(req).password === 'string' ? (body(req).password as string) : '';
    const again = (status: number, error: string) =>
      res
        .status(status)
        .type('html')
        .send(
          loginPage(
            renderLogin(ctx, req, res, {
              local: {
                xsrf: anonXsrf(ctx, req, res),
                signup: ctx.config.auth.local.signup === 'approval',
                username: typed,
                error,
              },
            }),
          ),
        );
    let name: string;
    try {
      name = localName(typed);
    } catch (err) {
      return again(400, isHubError(err) ? err.message : 'Enter your user name.');
    }
    const { account: perAccount, address: perAddress } = countersOf(ctx);
    const addr = req.socket.remoteAddress ?? 'unknown';
    const waitAccount = perAccount.retryAfter(name);
    const waitAddress = perAddress.retryAfter(addr);
    if (waitAccount || waitAddress) {
      const wait = Math.max(waitAccount, waitAddress);
      res.set('retry-after', String(wait));
      return again(
        429,
        waitAccount
          ? `Too many failed sign-in attempts for "${name}". Try again in ${minutes(wait)}, or ask an admin to reset the password.`
          : `Too many failed sign-in attempts from your address (${addr}). Try again in ${minutes(wait)}.`,
      );
    }
    const account = new AuthStore(ctx.store.db).localAccount(name);
    const ok = await verifyPassword(password, account?.password_hash ?? (await decoyHash()));
    if (!account || !ok) {
      perAccount.fail(name);
      perAddress.fail(addr);
      ctx.events.record({
        level: 'warn',
        kind: 'login-failed',
        user_name: account ? name : null,
        message: `Password sign-in failed for "${name}" from ${addr}.`,
        details: { provider: 'local', address: addr },
      });
      return again(401, 'Wrong user name or password.');
    }
    perAccount.clear(name);
    if (account.status === 'pending' || account.user_id === null) {
      return again(
        403,
        `Your account "${name}" is waiting for an admin's approval. Try again once they have approved it.`,
      );
    }
    const user = ctx.store.getUserById(account.user_id);
    if (!user) return again(401, 'Wrong user name or password.');
    completeSignIn(ctx, res, {
      provider: 'local',
      providerLabel: 'this hub',
      subject: name,
      login: name,
      name: user.name,
      decision: { allowed: true, admin: user.admin, rule: 'password account on this hub' },
      admin: undefined,
      authState: { login: name },
      next: safeNext(req.query.next),
    });
  });

  // Sign-up waiting for approval
  const signupPage = (req: Request, res: Response, error?: string, username?: string) =>
    formPage({
      title: 'Ask for an account',
      intro:
        'Choose a user name and a password. An admin of this hub approves the account before you can sign in.',
      action: '/hub/signup',
      xsrf: anonXsrf(ctx, req, res),
      submit: 'Ask for an account',
      ...(error ? { error } : {}),
      ...(username ? { username } : {}),
    });
  const requireSignup = () => {
    requireLocal(ctx);
    if (ctx.config.auth.local.signup !== 'approval')
      throw new HubError(
        404,
        'signup-off',
        'This hub does not take sign-ups; ask an admin for an invite link.',
      );
  };
  r.get('/hub/signup', (req, res) => {
    requireSignup();
    res.type('html').send(signupPage(req, res));
  });
  r.post('/hub/signup', form, async (req, res) => {
    requireSignup();
    checkAnonXsrf(ctx, req);
    const b = body(req);
    try {
      const name = localName(b.username);
      await requestAccount(ctx.store, name, checkNewPassword(b.password, b.password2));
      ctx.events.record({
        level: 'info',
        kind: 'signup-requested',
        user_name: name,
        message: `"${name}" asked for an account; an admin can approve it (POST /hub/api/signups/${encodeURIComponent(name)}).`,
        details: {},
      });
      res
        .type('html')
        .send(
          layout(
            'Account requested',
            `<div class="card"><h1 id="signup-done">Account requested</h1><p>An admin of this hub has to approve "${h(name)}" before you can sign in. Ask them to, then <a href="/hub/login">sign in</a>.</p></div>`,
          ),
        );
    } catch (err) {
      if (!isHubError(err)) throw err;
      res
        .status(err.status)
        .type('html')
        .send(signupPage(req, res, err.message, typeof b.username === 'string' ? b.username : ''));
    }
  });

  // Invite links
  const openInvite = (token: string) => {
    requireLocal(ctx);
    const invite = new AuthStore(ctx.store.db).inviteByHash(hashInvite(token));
    if (!invite || invite.used_by || invite.expires_at <= new Date().toISOString()) {
      throw new HubError(410, 'invite-invalid', 'This invite link was already used or has expired.', {
        fix: 'Ask the admin who sent it for a new link.',
      });
    }
    return invite;
  };
  const invitePage = (req: Request, res: Response, by: string, error?: string, username?: string) =>
    formPage({
      title: 'Create your TeamHub account',
      intro: `${by} invited you to this hub. Choose your user name and password.`,
      action: req.originalUrl,
      xsrf: anonXsrf(ctx, req, res),
      submit: 'Create account and sign in',
      ...(error ? { error } : {}),
      ...(username ? { username } : {}),
    });
  r.get('/hub/invite/:token', (req, res) => {
    const invite = openInvite(req.params.token);
    res.type('html').send(invitePage(req, res, invite.created_by));
  });
  r.post('/hub/invite/:token', form, async (req, res) => {
    const invite = openInvite(req.params.token);
    checkAnonXsrf(ctx, req);
    const b = body(req);
    let name: string;
    try {
      name = localName(b.username);
      const password = checkNewPassword(b.password, b.password2);
      if (!new AuthStore(ctx.store.db).useInvite(invite.id, name))
        throw new HubError(410, 'invite-invalid', 'This invite link was already used or has expired.');
      await createActiveAccount(ctx.store, name, password, false).catch((err: unknown) => {
        // Give the invite back: the name was taken, the link is still good for another try.
        ctx.store.db.prepare('UPDATE invites SET used_by = NULL WHERE id = ?').run(invite.id);
        throw err;
      });
    } catch (err) {
      if (!isHubError(err)) throw err;
      return res
        .status(err.status)
        .type('html')
        .send(
          invitePage(
            req,
            res,
            invite.created_by,
            err.message,
            typeof b.username === 'string' ? b.username : '',
          ),
        );
    }
    ctx.events.record({
      level: 'info',
      kind: 'invite-used',
      user_name: name,
      message: `"${name}" joined with an invite from ${invite.created_by}.`,
      details: { by: invite.created_by },
    });
    completeSignIn(ctx, res, {
      provider: 'local',
      providerLabel: 'this hub',
      subject: name,
      login: name,
      name,
      decision: { allowed: true, admin: false, rule: `invited by ${invite.created_by}` },
      admin: undefined,
      authState: { login: name },
      next: '/hub/home',
    });
  });

  // The owner's first run: creates the first admin account, from this computer only.
  const setupPage = (req: Request, res: Response, error?: string, username?: string) =>
    formPage({
      title: "Create the owner's admin account",
      intro:
        'This hub has no admin yet. The account you create here administers the hub; teammates get invite links from it.',
      action: '/hub/setup',
      xsrf: anonXsrf(ctx, req, res),
      submit: 'Create admin account',
      ...(error ? { error } : {}),
      ...(username ? { username } : {}),
    });
  const requireSetup = (req: Request) => {
    if (!canOfferSetup(ctx, req)) {
      throw new HubError(
        404,
        'setup-closed',
        "The first-run page is closed: an admin exists, or this browser is not on the hub's computer.",
        {
          fix: "Sign in, or on the hub's computer run: teamhub user add NAME --admin --password",
        },
      );
    }
  };
  r.get('/hub/setup', (req, res) => {
    requireSetup(req);
    res.type('html').send(setupPage(req, res));
  });
  r.post('/hub/setup', form, async (req, res) => {
    requireSetup(req);
    checkAnonXsrf(ctx, req);
    const b = body(req);
    let name: string;
    try {
      name = localName(b.username);
      await createActiveAccount(ctx.store, name, checkNewPassword(b.password, b.password2), true);
    } catch (err) {
      if (!isHubError(err)) throw err;
      return res
        .status(err.status)
        .type('html')
        .send(setupPage(req, res, err.message, typeof b.username === 'string' ? b.username : ''));
    }
    ctx.events.record({
      level: 'info',
      kind: 'owner-created',
      user_name: name,
      message: `The owner's admin account "${name}" was created on first run.`,
      details: {},
    });
    completeSignIn(ctx, res, {
      provider: 'local',
      providerLabel: 'this hub',
      subject: name,
      login: name,
      name,
      decision: { allowed: true, admin: true, rule: 'owner account created on first run' },
      admin: undefined,
      authState: { login: name },
      next: '/hub/home',
    });
  });

  // REST, admins only
  const json = jsonBody('16kb');
  r.post('/hub/api/invites', json, (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin:users']);
    requireLocal(ctx);
    const token = randomId(24);
    const expires = new Date(Date.now() + ctx.config.auth.local.inviteDays * 86400_000).toISOString();
    const id = new AuthStore(ctx.store.db).insertInvite(hashInvite(token), auth.user.name, expires);
    const path = `/hub/invite/${token}`;
    ctx.events.record({
      level: 'info',
      kind: 'invite-created',
      user_name: auth.user.name,
      message: `${auth.user.name} created an invite link (valid until ${expires}).`,
      details: { invite: id },
    });
    // The link is for a teammate: an admin on this computer (localhost) gets the hub's LAN address
    // while sharing is on, since localhost on the teammate's computer is their own.
    const host = req.get('host') ?? 'localhost';
    const lan = teammateHosts(ctx);
    const base = LOOPBACK_HOST.test(host) && lan[0] ? `http://${lan[0]}` : `${req.protocol}://${host}`;
    res.status(201).json({
      id,
      url: `${base}${path}`,
      urls: [
        ...new Set([
          `${base}${path}`,
          `${req.protocol}://${host}${path}`,
          ...lan.map((h) => `http://${h}${path}`),
        ]),
      ],
      path,
      expires_at: expires,
    });
  });
  r.get('/hub/api/signups', (req, res) => {
    needScope(caller(ctx, req, res), ['admin:users']);
    res.json(
      new AuthStore(ctx.store.db).pendingAccounts().map((a) => ({ name: a.name, created: a.created })),
    );
  });
  r.post('/hub/api/signups/:name', json, (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin:users']);
    const user = approveAccount(ctx, req.params.name, auth.user.name);
    res.status(201).json({ name: user.name, admin: user.admin });
  });
  r.delete('/hub/api/signups/:name', (req, res) => {
    needScope(caller(ctx, req, res), ['admin:users']);
    const store = new AuthStore(ctx.store.db);
    if (store.localAccount(req.params.name)?.status !== 'pending')
      throw new HubError(404, 'no-signup', `Nobody named "${req.params.name}" is waiting for approval.`);
    store.deleteLocalAccount(req.params.name);
    res.status(204).end();
  });
  r.put('/hub/api/users/:name/password', json, async (req, res) => {
    const auth = caller(ctx, req, res);
    needScope(auth, ['admin:users']);
    requireLocal(ctx);
    const user = ctx.store.getUser(req.params.name);
    if (!user) throw new HubError(404, 'no-user', `There is no user ${req.params.name}.`);
    const b = (req.body ?? {}) as Record<string, unknown>;
    await setPassword(ctx, user, checkNewPassword(b.password));
    countersOf(ctx).account.clear(user.name);
    const ended = endSessionsOf(ctx, user.id, 'an admin reset your password.');
    ctx.events.record({
      level: 'info',
      kind: 'password-reset',
      user_name: user.name,
      message: `${auth.user.name} reset the password of ${user.name} (${ended} session(s) ended).`,
      details: { by: auth.user.name },
    });
    res.status(204).end();
  });

  return r;
}
