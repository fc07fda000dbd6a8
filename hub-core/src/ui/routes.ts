import { type NextFunction, type Request, type Response, Router } from 'express';
import { bodyObject, caller, findUser, jsonBody, needScope, userTarget } from '../api/common.js';
import { tokenModel } from '../api/models.js';
import { AuthStore } from '../auth/auth-store.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { type Auth, tokenScopes, xsrfToken } from '../http/auth-context.js';
import { callbackUrls, onlyAdminsCanSignIn, teammateHosts } from '../auth/settings-routes.js';
import { runDiagnostics } from '../diagnostics.js';
import { SCOPE_DEFINITIONS } from '../scopes.js';
import { offeredImages } from '../spawner/container-spec.js';
import { serverPrefix } from '../spawner/names.js';
import { containerViews } from './containers.js';
import { downloadLogs, streamLogs } from './logs.js';
import { applySettings, lanUrls } from './settings.js';
import { settingsFile } from './settings-file.js';
import { endPasswordsForNow } from './saved-providers.js';
import { liveStream, serverSummaries } from './live.js';
import { checkGithubLogin, githubCallbackUrl } from './login-check.js';

/** The admin screens' gate: the admin-ui scope, as JupyterHub's own admin page requires. */
function needAdmin(auth: Auth): void {
  needScope(auth, ['admin-ui']);
}

/** The user's accounts are all password accounts of this hub (a provider cannot claim the name later). */
function signsInOnlyWithPassword(ctx: HubContext, userId: number): boolean {
  const accounts = new AuthStore(ctx.store.db).identitiesOfUser(userId);
  return accounts.length > 0 && accounts.every((a) => a.provider === 'local');
}

function serverOf(ctx: HubContext, req: Request) {
  const user = findUser(ctx, String(req.params.name));
  const name = typeof req.query.server === 'string' ? req.query.server : '';
  return { user, name, row: ctx.store.getServer(user.id, name) };
}

/** JSON and event-stream endpoints the React UI needs beyond JupyterHub's REST API. */
export function uiRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = jsonBody('256kb');
  // Checked before the body is read: others get 403, not a verdict on their JSON.
  const adminFirst = (req: Request, res: Response, next: NextFunction) => {
    needAdmin(caller(ctx, req, res));
    next();
  };

  r.get('/hub/ui/api/me', async (req, res) => {
    const auth = caller(ctx, req, res);
    const docker = await ctx.dockerStatus();
    const p = docker.problem;
    res.json({
      user: { name: auth.user.name, admin: auth.user.admin },
      xsrf: auth.session ? xsrfToken(ctx, auth.session.id) : null,
      jupyterhubVersion: ctx.config.jupyterhubVersion,
      namedServers: ctx.config.namedServers,
      scopes: [...auth.scopes].sort(),
      scopeNames: Object.keys(SCOPE_DEFINITIONS).sort(),
      servers: serverSummaries(ctx, (u) => u.id === auth.user.id),
      images: offeredImages(ctx.config.docker),
      localAccounts: ctx.config.auth.local.enabled,
      // Admins see this on every screen: people would otherwise meet a bare refusal at sign-in.
      onlyAdminsCanSignIn: auth.user.admin && onlyAdminsCanSignIn(ctx),
      docker: p ? { ok: false, message: p.message, evidence: p.evidence, fix: p.fix ?? null } : { ok: true },
    });
  });

  r.get('/hub/ui/api/live', (req, res) => {
    const auth = caller(ctx, req, res);
    const everyone = auth.scopes.has('admin-ui');
    liveStream(ctx, req, res, (u) => everyone || u.id === auth.user.id);
  });

  r.get('/hub/ui/api/containers', async (req, res) => {
    const auth = caller(ctx, req, res);
    needAdmin(auth);
    res.json({ containers: await containerViews(ctx) });
  });

  r.post('/hub/ui/api/users/:name/restart', json, async (req, res) => {
    const auth = caller(ctx, req, res);
    const { user, name } = serverOf(ctx, req);
    needScope(auth, ['servers'], { ...userTarget(ctx, user), server: `${user.name}/${name}` });
    await ctx.docker.ensureReachable();
    const options = ctx.store.getServer(user.id, name)?.user_options ?? {};
    await ctx.servers.stop(user, name);
    ctx.servers.spawn(user, name, options).done.catch(() => undefined);
    res.status(202).json({
      progress_url: `/hub/api/users/${encodeURIComponent(user.name)}/${name ? `servers/${encodeURIComponent(name)}` : 'server'}/progress`,
      url: serverPrefix(user.name, name),
    });
  });

  r.post('/hub/ui/api/stop-all', json, async (req, res) => {
    const auth = caller(ctx, req, res);
    needAdmin(auth);
    needScope(auth, ['admin:servers']);
    const before = ctx.store
      .listServers()
      .filter((s) => s.status === 'running' || s.status === 'spawning').length;
    await ctx.servers.stopAll();
    const left = ctx.store
      .listServers()
      .filter((s) => s.status === 'running' || s.status === 'spawning').length;
    res.json({ stopped: before - left, left });
  });

  const logs = async (req: Request, res: Response) => {
    const auth = caller(ctx, req, res);
    const { user, name, row } = serverOf(ctx, req);
    needScope(auth, ['servers'], { ...userTarget(ctx, user), server: `${user.name}/${name}` });
    // Docker down is its own sentence (503), not a failed log read.
    if (row?.container_id) await ctx.docker.ensureReachable();
    if (req.query.download !== undefined) return downloadLogs(ctx, res, user, row);
    await streamLogs(ctx, req, res, row);
  };
  r.get('/hub/ui/api/users/:name/logs', logs);

  // Tokens people made (not the ones the hub gives servers and their browser sessions), one user's or everyone's.
  r.get('/hub/ui/api/tokens', (req, res) => {
    const auth = caller(ctx, req, res);
    const only = typeof req.query.user === 'string' ? findUser(ctx, req.query.user) : undefined;
    if (only) needScope(auth, ['read:tokens'], userTarget(ctx, only));
    else {
      needAdmin(auth);
      needScope(auth, ['read:tokens']);
    }
    ctx.store.deleteExpiredTokens();
    const owners = only ? [only] : ctx.store.listUsers();
    const tokens = owners.flatMap((u) =>
      ctx.store
        .tokensOf(u.id)
        .filter((t) => t.kind === 'api')
        .map((t) => tokenModel(ctx, t, [...tokenScopes(ctx, t, u)].sort())),
    );
    res.json({ api_tokens: tokens });
  });

  r.get('/hub/ui/api/settings', (req, res) => {
    const auth = caller(ctx, req, res);
    needAdmin(auth);
    const c = ctx.config;
    const gh = c.auth.github;
    const lan = ctx.lan.state();
    res.json({
      urls: {
        local: `http://127.0.0.1:${lan.port ?? c.port}/`,
        lan: lanUrls(c.ip, lan.port ?? c.port, lan.addresses),
        listening: c.ip,
      },
      lan: {
        // Sharing chosen with --ip (all interfaces or one) is fixed for this run.
        fixedByIp: !['127.0.0.1', '::1', 'localhost'].includes(c.ip),
        addresses: lan.addresses,
        candidates: lan.candidates,
        problems: lan.problems,
      },
      hubAddress: ctx.addressProof() ?? null,
      github: gh
        ? {
            clientId: gh.clientId,
            url: gh.url,
            callbackUrl: githubCallbackUrl(c),
            scopes: gh.scopes,
          }
        : null,
      githubProblem: ctx.githubProblem ?? null,
      access: { allowAll: c.auth.allowAll, allowedUsers: c.auth.allowedUsers, adminUsers: c.auth.adminUsers },
      // As saved: password accounts on only for now (a provider's secret was lost) show as off.
      passwords: {
        enabled: c.auth.local.enabled && !ctx.passwordsForNow,
        forNow: ctx.passwordsForNow,
        signup: c.auth.local.signup,
      },
      spawner: {
        image: c.docker.image,
        allowedImages: c.docker.allowedImages,
        memLimit: c.docker.memLimit ?? null,
        cpuLimit: c.docker.cpuLimit ?? null,
      },
      onlyAdmins: onlyAdminsCanSignIn(ctx),
      savedIn: settingsFile(c.dataDir),
    });
  });

  r.patch('/hub/ui/api/settings', adminFirst, json, (req, res) => {
    const auth = caller(ctx, req, res);
    needAdmin(auth);
    needScope(auth, ['admin:users']);
    const body = bodyObject(req);
    const passwordsOff = (body.passwords as { enabled?: unknown } | undefined)?.enabled === false;
    if (passwordsOff && ctx.config.auth.local.enabled && signsInOnlyWithPassword(ctx, auth.user.id))
      throw new HubError(
        409,
        'own-sign-in',
        'You sign in to this hub with a password, so turning password accounts off would lock you out; nothing was saved.',
        {
          fix: 'Keep password accounts on, or have an admin who signs in with GitHub or an OpenID provider turn them off.',
        },
      );
    if (!applySettings(ctx.config, body, ctx.passwordsForNow)) endPasswordsForNow(ctx);
    ctx.events.record({
      level: 'info',
      kind: 'settings',
      user_name: auth.user.name,
      message: `${auth.user.name} changed settings: ${Object.keys(body).join(', ')}.`,
      details: { change: body },
    });
    res.json({ ok: true });
  });

  r.put('/hub/ui/api/settings/lan', adminFirst, json, async (req, res) => {
    const auth = caller(ctx, req, res);
    needAdmin(auth);
    needScope(auth, ['admin:users']);
    const body = bodyObject(req);
    const result = await ctx.lan.set(body.addresses);
    ctx.events.record({
      level: 'info',
      kind: 'settings',
      user_name: auth.user.name,
      message: result.addresses.length
        ? `${auth.user.name} turned LAN sharing on for ${result.addresses.join(', ')}.`
        : `${auth.user.name} turned LAN sharing off.`,
      details: { ...result },
    });
    res.json({
      ...result,
      urls: lanUrls(ctx.config.ip, ctx.lan.state().port ?? ctx.config.port, result.addresses),
    });
  });

  r.post('/hub/ui/api/settings/check-login', adminFirst, json, async (req, res) => {
    const auth = caller(ctx, req, res);
    needAdmin(auth);
    const gh = ctx.config.auth.github;
    const callbacks = ctx.github
      ? callbackUrls(gh?.callbackUrl, ctx.github.callbackUrl, '/hub/oauth_callback', teammateHosts(ctx))
      : [githubCallbackUrl(ctx.config)];
    res.json({ checks: await checkGithubLogin(ctx.config, callbacks) });
  });

  r.get('/hub/ui/api/doctor', async (req, res) => {
    const auth = caller(ctx, req, res);
    needAdmin(auth);
    res.json({ checks: await runDiagnostics(ctx.config, { running: true, hubAddress: ctx.addressProof() }) });
  });

  r.get('/hub/ui/api/events', (req, res) => {
    const auth = caller(ctx, req, res);
    needAdmin(auth);
    res.json({ events: ctx.store.listEvents(200) });
  });

  return r;
}
