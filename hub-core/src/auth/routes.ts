import { type Response, Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError, describeError, isHubError } from '../errors.js';
import { STATE_COOKIE } from '../http/auth-context.js';
import { appendSetCookie, parseCookies, serializeCookie } from '../http/cookies.js';
import { safeNext } from '../http/next-url.js';
import { GITHUB_LOGIN, usernameProblem } from '../usernames.js';
import { type AllowDecision, decideAllow, normalizeUsername } from './allow.js';
import type { GithubLogin, ProviderIdentity } from './github.js';
import { completeSignIn, refuse } from './sign-in.js';

interface LoginState {
  state: string;
  /** The redirect URI this sign-in sent (the token exchange must repeat it). */
  redirectUri?: string;
  codeVerifier: string;
  next: string;
}

const STATE_MAX_AGE = 600;

/** GitHub sign-in: the redirect to GitHub and the callback. */
export function authRoutes(ctx: HubContext): Router {
  const r = Router();
  const clearState = serializeCookie(STATE_COOKIE, '', { path: '/hub/', maxAgeSeconds: 0 });

  r.get('/hub/oauth_login', async (req, res) => {
    if (!ctx.github) {
      throw new HubError(
        503,
        'github-not-configured',
        ctx.githubProblem ?? 'GitHub sign-in is not configured.',
      );
    }
    // The state cookie must be set on the host GitHub will send the browser back to (the callback's),
    // or the callback finds no sign-in in progress: open 127.0.0.1 and the callback says localhost.
    const redirectUri = ctx.github.callbackFor(req.get('host'));
    const callback = new URL(redirectUri);
    if (req.get('host') && req.get('host') !== callback.host) {
      const again = new URL(req.originalUrl, callback.origin);
      return res.redirect(302, again.href);
    }
    const start = await ctx.github.start(redirectUri);
    const state: LoginState = {
      redirectUri,
      state: start.state,
      codeVerifier: start.codeVerifier,
      next: safeNext(req.query.next),
    };
    appendSetCookie(
      res,
      serializeCookie(STATE_COOKIE, ctx.signer.sign(state, STATE_MAX_AGE), {
        path: '/hub/',
        maxAgeSeconds: STATE_MAX_AGE,
      }),
    );
    res.redirect(302, start.url);
  });

  r.get('/hub/oauth_callback', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    for (const key of ['code', 'state', 'error']) {
      if (Array.isArray(q[key])) {
        throw new HubError(
          400,
          'oauth-repeated-param',
          `GitHub sign-in failed: the callback has more than one "${key}" parameter.`,
          {
            fix: 'Start again from the sign-in page.',
          },
        );
      }
    }
    const github = ctx.github;
    appendSetCookie(res, clearState);
    const failLogin = (err: HubError) => {
      ctx.events.record({
        level: 'warn',
        kind: 'login-failed',
        user_name: null,
        message: `GitHub sign-in failed: ${err.message}`,
        details: { reason: err.reason, evidence: err.evidence },
      });
      return err;
    };
    if (!github)
      throw new HubError(
        503,
        'github-not-configured',
        ctx.githubProblem ?? 'GitHub sign-in is not configured.',
      );
    const error = str(q.error);
    if (error) {
      const description = str(q.error_description);
      const mismatch = error === 'redirect_uri_mismatch';
      throw failLogin(
        new HubError(
          400,
          'oauth-callback-error',
          `GitHub refused the sign-in: ${error}${description ? ` (${description})` : ''}.`,
          {
            evidence: [`redirect URI sent: ${github.callbackFor(req.get('host'))}`],
            fix: mismatch
              ? `Set the "Authorization callback URL" of the GitHub OAuth app to exactly ${github.callbackFor(req.get('host'))}`
              : 'Try signing in again.',
          },
        ),
      );
    }
    const code = str(q.code);
    if (!code)
      throw failLogin(
        new HubError(400, 'oauth-no-code', 'GitHub sign-in failed: callback without authorization code.'),
      );
    if (!str(q.state))
      throw failLogin(new HubError(400, 'oauth-no-state', 'GitHub sign-in failed: callback without state.'));
    const saved = ctx.signer.verify<LoginState>(parseCookies(req.headers.cookie)[STATE_COOKIE]);
    if (!saved) {
      throw failLogin(
        new HubError(
          400,
          'oauth-state-missing',
          'GitHub sign-in failed: this browser has no sign-in in progress (it expired or cookies are blocked).',
          {
            fix: 'Start again from the sign-in page.',
          },
        ),
      );
    }
    if (saved.state !== q.state) {
      throw failLogin(
        new HubError(
          400,
          'oauth-state-mismatch',
          'GitHub sign-in failed: the state does not match the one this browser started with.',
          {
            fix: 'Start again from the sign-in page.',
          },
        ),
      );
    }
    const callback = new URL(saved.redirectUri ?? github.callbackUrl);
    callback.search = new URLSearchParams(q as Record<string, string>).toString();
    let identity;
    try {
      identity = await github.finish(callback, saved);
    } catch (err) {
      throw failLogin(
        isHubError(err)
          ? err
          : new HubError(502, 'oauth-failed', `GitHub sign-in failed: ${describeError(err)}.`),
      );
    }
    await finishGithubSignIn(ctx, res, github, identity, saved.next, failLogin);
  });

  return r;
}

/**
 * After GitHub said who someone is (web or device flow): checks the login, applies the allow rules,
 * then starts the session or shows the 403 page.
 */
export async function finishGithubSignIn(
  ctx: HubContext,
  res: Response,
  github: GithubLogin,
  identity: ProviderIdentity,
  next: string,
  failLogin: (err: HubError) => HubError,
): Promise<void> {
  const badLogin = GITHUB_LOGIN.test(identity.login)
    ? usernameProblem(normalizeUsername(identity.login))
    : 'it is not a GitHub login (letters, digits, "-", "_" and ".", starting with a letter or digit)';
  if (badLogin) {
    throw failLogin(
      new HubError(
        403,
        'oauth-bad-login',
        `GitHub answered with the login ${JSON.stringify(identity.login)}, which this hub cannot use: ${badLogin}.`,
        {
          fix: 'Check the GitHub and API addresses (Settings → Sign-in, or auth.github.url and apiUrl): they must point at GitHub (or GitHub Enterprise).',
        },
      ),
    );
  }
  const name = normalizeUsername(identity.login);
  const decision = await decideAllowAtLogin(name, identity, ctx, github);
  const signIn = {
    provider: 'github',
    providerLabel: 'GitHub',
    subject: identity.id || identity.login,
    login: identity.login,
    name,
    decision,
  };
  if (!decision.allowed) return refuse(ctx, res, signIn);
  completeSignIn(ctx, res, {
    ...signIn,
    admin: decision.admin || undefined,
    authState: {
      login: identity.login,
      accessToken: identity.accessToken,
      grantedScopes: identity.grantedScopes,
    },
    next,
  });
}

/**
 * The allow rules at sign-in, in order: config lists, users an admin added (F06), allow-all, then
 * organization and team rules asked of GitHub (F07), which may be unverifiable without read:org.
 */
async function decideAllowAtLogin(
  name: string,
  identity: ProviderIdentity,
  ctx: HubContext,
  github: GithubLogin,
): Promise<AllowDecision> {
  const decision = decideAllow(name, ctx.config.auth);
  if (decision.allowed) return decision;
  const existing = ctx.store.getUser(name);
  if (existing?.added_by === 'admin')
    return { allowed: true, admin: existing.admin, rule: 'added by an admin' };
  const rules = ctx.config.auth.github?.allowedOrganizations ?? [];
  if (rules.length === 0) return decision;
  const unverifiable: string[] = [];
  for (const rule of rules) {
    const m = await github.membership(identity, rule);
    if (m === 'member') return { allowed: true, admin: decision.admin, rule: `member of ${rule}` };
    if (m === 'unverifiable') unverifiable.push(rule);
  }
  if (unverifiable.length) {
    return {
      allowed: false,
      admin: false,
      rule: `TeamHub couldn't verify membership in ${unverifiable.join(', ')}: the app was not granted read:org (granted: ${identity.grantedScopes.join(', ') || 'none'}), or the organization has not approved the app`,
    };
  }
  return {
    allowed: false,
    admin: false,
    rule: `not a member of ${rules.join(', ')}, not listed in auth.allowedUsers, and auth.allowAll is off`,
  };
}
