import type { Response } from 'express';
import type { HubContext } from '../context.js';
import { SESSION_COOKIE, SESSION_DAYS } from '../http/auth-context.js';
import { appendSetCookie, serializeCookie } from '../http/cookies.js';
import { problemPage } from '../pages/pages.js';
import { now } from '../store/store.js';
import { randomId } from '../tokens.js';
import type { AllowDecision } from './allow.js';
import { AuthStore, authStateKey, type SessionAuthState } from './auth-store.js';

export interface SignIn {
  /** `github`, `oidc:<id>` or `local`. */
  provider: string;
  /** Shown to people: "GitHub", the OIDC display name, "this hub". */
  providerLabel: string;
  /** Stable account id at the provider (GitHub user id, OIDC `sub`, local name). */
  subject: string;
  /** The account's name at the provider, as it spells it. */
  login: string;
  /** The hub user name. */
  name: string;
  decision: AllowDecision;
  /** Set the admin flag to this; undefined leaves an existing user's flag alone. */
  admin: boolean | undefined;
  authState: SessionAuthState;
  next: string;
}

function adminsHint(ctx: HubContext, name: string): string {
  // The configured admins first, then admins made on the hub (a first-run owner, say), a few at most.
  const names = [
    ...ctx.config.auth.adminUsers.map((a) => a.toLowerCase()),
    ...ctx.store
      .listUsers()
      .filter((u) => u.admin)
      .map((u) => u.name),
  ];
  const admins = [...new Set(names)].slice(0, 5).join(', ');
  return admins
    ? `Ask the hub's admin (${admins}) to add "${name}" to the allowed users.`
    : 'Ask the person who runs this hub to add you.';
}

/** The 403 page after a provider sign-in that no rule admits: who they are there, which rule, whom to ask. */
export function refuse(
  ctx: HubContext,
  res: Response,
  s: Omit<SignIn, 'authState' | 'next' | 'admin'>,
): void {
  ctx.events.record({
    level: 'warn',
    kind: 'login-refused',
    user_name: s.name,
    message: `${s.providerLabel} user "${s.login}" signed in but was refused: ${s.decision.rule}.`,
    details: { provider: s.provider, rule: s.decision.rule },
  });
  res
    .status(403)
    .type('html')
    .send(
      problemPage(403, {
        title: 'This hub does not let you in',
        message: `You signed in at ${s.providerLabel} as "${s.login}", but this hub does not allow that account: ${s.decision.rule}.`,
        fix: adminsHint(ctx, s.name),
        actions: '<p><a class="button" href="/hub/login">Back to sign-in</a></p>',
      }),
    );
}

/**
 * Binds the provider account to the hub user and starts a browser session. A hub user belongs to the
 * first provider account that signed in as it: the same name from another provider is refused, so
 * "alice" at GitHub never inherits the files of "alice" at a company OpenID provider.
 */
export function completeSignIn(ctx: HubContext, res: Response, s: SignIn): void {
  const auth = new AuthStore(ctx.store.db, authStateKey(ctx.signer));
  const existing = ctx.store.getUser(s.name);
  if (existing) {
    const other = auth
      .identitiesOfUser(existing.id)
      .find((i) => i.provider !== s.provider || i.subject !== s.subject);
    if (other) {
      refuse(ctx, res, {
        ...s,
        decision: {
          allowed: false,
          admin: false,
          rule: `the hub user "${s.name}" already belongs to another account (${describeProvider(ctx, other.provider)} "${other.login}")`,
        },
      });
      return;
    }
  }
  const user = ctx.store.ensureUser(s.name, s.admin, 'login');
  auth.linkIdentity(user.id, s.provider, s.subject, s.login);
  const sid = randomId();
  ctx.store.createSession({
    id: sid,
    user_id: user.id,
    created: now(),
    expires_at: new Date(Date.now() + SESSION_DAYS * 86400_000).toISOString(),
  });
  auth.setSessionAuth(sid, s.provider, s.authState);
  appendSetCookie(
    res,
    serializeCookie(SESSION_COOKIE, ctx.signer.sign(sid, SESSION_DAYS * 86400), {
      path: '/hub/',
      maxAgeSeconds: SESSION_DAYS * 86400,
    }),
  );
  ctx.events.record({
    level: 'info',
    kind: 'login',
    user_name: s.name,
    message: `${s.name} signed in with ${s.providerLabel} (${s.decision.rule}).`,
    details: { provider: s.provider },
  });
  res.redirect(302, s.next);
}

export function describeProvider(ctx: HubContext, provider: string): string {
  if (provider === 'github') return 'GitHub';
  if (provider === 'local') return 'a password account on this hub';
  const id = provider.replace(/^oidc:/, '');
  return ctx.config.auth.oidc.find((p) => p.id === id)?.displayName ?? provider;
}
