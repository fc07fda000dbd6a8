import { type Request, Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { appendSetCookie, parseCookies, serializeCookie } from '../http/cookies.js';
import { safeNext } from '../http/next-url.js';
import { devicePage } from '../pages/login-page.js';
import { randomId } from '../tokens.js';
import { type DeviceCode, pollDeviceToken, requestDeviceCode } from './github-device.js';
import { finishGithubSignIn } from './routes.js';

const DEVICE_COOKIE = 'teamhub-device';

interface Pending {
  code: DeviceCode;
  next: string;
  lastPoll: number;
  polling?: boolean;
  result?: { accessToken: string; grantedScopes: string[] } | { error: HubError };
}

// Sign-ins in progress, by the random id in the browser's signed cookie. Held in memory: a restart
// simply asks for a new code.
const pendingByHub = new WeakMap<object, Map<string, Pending>>();
function pendingOf(ctx: HubContext): Map<string, Pending> {
  let m = pendingByHub.get(ctx.store);
  if (!m) pendingByHub.set(ctx.store, (m = new Map()));
  const now = Date.now();
  for (const [id, p] of m) if (p.code.expiresAt < now - 60_000) m.delete(id);
  return m;
}

function github(ctx: HubContext) {
  const gh = ctx.github;
  if (!gh || !ctx.config.auth.github?.deviceFlow) {
    throw new HubError(
      404,
      'device-flow-off',
      'Signing in with a GitHub code is not turned on for this hub.',
      {
        fix: 'Use "Sign in with GitHub", or ask the admin to set auth.github.deviceFlow.',
      },
    );
  }
  return { gh, cfg: ctx.config.auth.github };
}

function current(ctx: HubContext, req: Request): { id: string; pending: Pending } | undefined {
  const id = ctx.signer.verify<string>(parseCookies(req.headers.cookie)[DEVICE_COOKIE]);
  const pending = id ? pendingOf(ctx).get(id) : undefined;
  return id && pending ? { id, pending } : undefined;
}

/**
 * GitHub's device flow: the page shows a code to enter at GitHub and waits; no callback URL is
 * involved, so it works for a teammate whatever address they reached the hub at.
 */
export function deviceRoutes(ctx: HubContext): Router {
  const r = Router();

  r.get('/hub/device_login', async (req, res) => {
    const { cfg } = github(ctx);
    let entry = req.query.new === undefined ? current(ctx, req) : undefined;
    if (!entry || entry.pending.result || entry.pending.code.expiresAt < Date.now()) {
      const scopes = [...cfg.scopes, ...(cfg.allowedOrganizations.length ? ['read:org'] : [])];
      const code = await requestDeviceCode(cfg, [...new Set(scopes)]);
      const id = randomId();
      const pending: Pending = { code, next: safeNext(req.query.next), lastPoll: 0 };
      pendingOf(ctx).set(id, pending);
      // Outlives the code a little, so an expired code still gets its own message.
      const seconds = Math.ceil((code.expiresAt - Date.now()) / 1000) + 120;
      appendSetCookie(
        res,
        serializeCookie(DEVICE_COOKIE, ctx.signer.sign(id, seconds), {
          path: '/hub/',
          maxAgeSeconds: seconds,
        }),
      );
      entry = { id, pending };
    }
    const { code } = entry.pending;
    res
      .set('cache-control', 'no-store')
      .type('html')
      .send(
        devicePage({
          userCode: code.userCode,
          verificationUri: code.verificationUri,
          intervalSeconds: code.interval,
          minutesLeft: Math.max(1, Math.round((code.expiresAt - Date.now()) / 60_000)),
        }),
      );
  });

  // Polled by the page; asks GitHub at most once per interval.
  r.get('/hub/device_login/check', async (req, res) => {
    const { cfg } = github(ctx);
    res.set('cache-control', 'no-store');
    const entry = current(ctx, req);
    if (!entry)
      return res.json({ state: 'failed', message: 'No sign-in with a code is in progress in this browser.' });
    const p = entry.pending;
    if (!p.result && Date.now() - p.lastPoll >= p.code.interval * 1000) {
      p.lastPoll = Date.now();
      const poll = await pollDeviceToken(cfg, p.code);
      if (poll.status === 'pending') p.code.interval = poll.interval;
      else if (poll.status === 'done')
        p.result = { accessToken: poll.accessToken, grantedScopes: poll.grantedScopes };
      else p.result = { error: poll.error };
    }
    if (!p.result) return res.json({ state: 'pending', interval: p.code.interval });
    res.json('error' in p.result ? { state: 'failed', message: p.result.error.message } : { state: 'ready' });
  });

  r.get('/hub/device_login/finish', async (req, res) => {
    const { gh } = github(ctx);
    const entry = current(ctx, req);
    if (!entry?.pending.result) return res.redirect(302, '/hub/device_login');
    pendingOf(ctx).delete(entry.id);
    appendSetCookie(res, serializeCookie(DEVICE_COOKIE, '', { path: '/hub/', maxAgeSeconds: 0 }));
    const result = entry.pending.result;
    const failLogin = (err: HubError) => {
      ctx.events.record({
        level: 'warn',
        kind: 'login-failed',
        user_name: null,
        message: `GitHub sign-in with a code failed: ${err.message}`,
        details: { reason: err.reason, evidence: err.evidence, provider: 'github' },
      });
      return err;
    };
    if ('error' in result) throw failLogin(result.error);
    const identity = await gh.identify(result.accessToken).catch((err: unknown) => {
      throw failLogin(err instanceof HubError ? err : new HubError(502, 'oauth-user-failed', String(err)));
    });
    identity.grantedScopes = result.grantedScopes;
    await finishGithubSignIn(ctx, res, gh, identity, entry.pending.next, failLogin);
  });

  return r;
}
