import { Router } from 'express';
import type { OidcConfig } from '../config/schema.js';
import type { HubContext } from '../context.js';
import { HubError, describeError, isHubError } from '../errors.js';
import { appendSetCookie, parseCookies, serializeCookie } from '../http/cookies.js';
import { safeNext } from '../http/next-url.js';
import { type AllowDecision, decideAllow } from './allow.js';
import type { OidcLogin } from './oidc.js';
import { completeSignIn, refuse } from './sign-in.js';

const OIDC_STATE_COOKIE = 'teamhub-oidc-state';
const STATE_MAX_AGE = 600;

interface OidcState {
  provider: string;
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string | undefined;
  next: string;
}

/**
 * Who may sign in through an OpenID provider: the config lists and allow-all (as for GitHub), users
 * an admin added, then membership of `allowedGroups`; `adminGroups` members are admins.
 */
export function decideOidcAllow(
  ctx: HubContext,
  cfg: OidcConfig,
  name: string,
  groups: string[],
): AllowDecision {
  const base = decideAllow(name, ctx.config.auth);
  const adminGroup = cfg.adminGroups.find((g) => groups.includes(g));
  if (adminGroup) return { allowed: true, admin: true, rule: `member of the admin group "${adminGroup}"` };
  if (base.allowed) return base;
  if (ctx.store.getUser(name)?.added_by === 'admin')
    return { allowed: true, admin: false, rule: 'added by an admin' };
  const group = cfg.allowedGroups.find((g) => groups.includes(g));
  if (group) return { allowed: true, admin: false, rule: `member of the group "${group}"` };
  if (cfg.allowedGroups.length === 0) return base;
  // No groups at all is often the provider not sending them (a missing scope or another claim name).
  const yours = groups.length
    ? groups.map((g) => `"${g}"`).join(', ')
    : `none: the provider sent no "${cfg.groupsClaim}" claim; if you are in a group, ask the admin to check the provider's scopes and groups claim in Settings → Sign-in`;
  return {
    allowed: false,
    admin: false,
    rule: `not a member of any allowed group (${cfg.allowedGroups.map((g) => `"${g}"`).join(', ')}; your groups: ${yours}), not listed in auth.allowedUsers, and auth.allowAll is off`,
  };
}

/** /hub/oidc/<id>/login and /hub/oidc/<id>/callback for each configured OpenID provider. */
export function oidcRoutes(ctx: HubContext): Router {
  const r = Router();
  const providerFor = (id: string): OidcLogin => {
    const p = ctx.oidc.find((o) => o.cfg.id === id);
    if (!p) {
      throw new HubError(404, 'oidc-unknown', `There is no sign-in provider "${id}" on this hub.`, {
        fix: 'Go back to the sign-in page and pick one of the buttons there.',
      });
    }
    return p;
  };

  r.get('/hub/oidc/:id/login', async (req, res) => {
    const provider = providerFor(req.params.id);
    // Start on the callback's host, so the state cookie is there when the provider sends the browser back.
    const redirectUri = provider.callbackFor(req.get('host'));
    const callback = new URL(redirectUri);
    if (req.get('host') && req.get('host') !== callback.host) {
      return res.redirect(302, new URL(req.originalUrl, callback.origin).href);
    }
    const start = await provider.start(redirectUri);
    const saved: OidcState = {
      provider: provider.cfg.id,
      redirectUri,
      state: start.state,
      nonce: start.nonce,
      codeVerifier: start.codeVerifier,
      next: safeNext(req.query.next),
    };
    appendSetCookie(
      res,
      serializeCookie(OIDC_STATE_COOKIE, ctx.signer.sign(saved, STATE_MAX_AGE), {
        path: '/hub/',
        maxAgeSeconds: STATE_MAX_AGE,
      }),
    );
    res.redirect(302, start.url);
  });

  r.get('/hub/oidc/:id/callback', async (req, res) => {
    const provider = providerFor(req.params.id);
    const label = provider.label;
    appendSetCookie(res, serializeCookie(OIDC_STATE_COOKIE, '', { path: '/hub/', maxAgeSeconds: 0 }));
    const fail = (err: HubError) => {
      ctx.events.record({
        level: 'warn',
        kind: 'login-failed',
        user_name: null,
        message: `${label} sign-in failed: ${err.message}`,
        details: {
          provider: provider.providerKey,
          reason: err.reason,
          evidence: err.evidence,
          ...(err.fix ? { fix: err.fix } : {}),
        },
      });
      return err;
    };
    const q = req.query as Record<string, unknown>;
    for (const key of ['code', 'state', 'error', 'iss']) {
      if (q[key] !== undefined && typeof q[key] !== 'string') {
        throw fail(
          new HubError(
            400,
            'oauth-repeated-param',
            `${label} sign-in failed: the callback has more than one "${key}" parameter.`,
            { fix: 'Start again from the sign-in page.' },
          ),
        );
      }
    }
    if (typeof q.error === 'string') {
      const description = typeof q.error_description === 'string' ? ` (${q.error_description})` : '';
      throw fail(
        new HubError(400, 'oauth-callback-error', `${label} refused the sign-in: ${q.error}${description}.`, {
          evidence: [`redirect URI sent: ${provider.callbackFor(req.get('host'))}`],
          fix:
            q.error === 'access_denied'
              ? 'Sign in again and allow the request.'
              : `Check the client at ${label}: its redirect URI must be exactly ${provider.callbackFor(req.get('host'))}`,
        }),
      );
    }
    if (typeof q.code !== 'string' || q.code === '')
      throw fail(
        new HubError(400, 'oauth-no-code', `${label} sign-in failed: callback without authorization code.`),
      );
    const saved = ctx.signer.verify<OidcState>(parseCookies(req.headers.cookie)[OIDC_STATE_COOKIE]);
    if (!saved || saved.provider !== provider.cfg.id) {
      throw fail(
        new HubError(
          400,
          'oauth-state-missing',
          `${label} sign-in failed: this browser has no sign-in in progress (it expired or cookies are blocked).`,
          {
            fix: 'Start again from the sign-in page.',
          },
        ),
      );
    }
    if (saved.state !== q.state) {
      throw fail(
        new HubError(
          400,
          'oauth-state-mismatch',
          `${label} sign-in failed: the state does not match the one this browser started with.`,
          {
            fix: 'Start again from the sign-in page.',
          },
        ),
      );
    }
    const callback = new URL(saved.redirectUri);
    callback.search = new URLSearchParams(q as Record<string, string>).toString();
    let identity;
    try {
      identity = await provider.finish(callback, saved);
    } catch (err) {
      throw fail(
        isHubError(err)
          ? err
          : new HubError(502, 'oidc-failed', `${label} sign-in failed: ${describeError(err)}.`),
      );
    }
    const decision = decideOidcAllow(ctx, provider.cfg, identity.name, identity.groups);
    const signIn = {
      provider: provider.providerKey,
      providerLabel: label,
      subject: identity.subject,
      login: identity.login,
      name: identity.name,
      decision,
    };
    if (!decision.allowed) return refuse(ctx, res, signIn);
    const inAdminList = decideAllow(identity.name, ctx.config.auth).admin;
    completeSignIn(ctx, res, {
      ...signIn,
      // With admin groups configured, the groups decide (each sign-in); else admin is only ever granted.
      admin: provider.cfg.adminGroups.length ? decision.admin || inAdminList : decision.admin || undefined,
      authState: {
        login: identity.login,
        accessToken: identity.accessToken,
        ...(identity.refreshToken ? { refreshToken: identity.refreshToken } : {}),
        subject: identity.subject,
      },
      next: saved.next,
    });
  });

  return r;
}
