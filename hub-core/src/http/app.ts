import express, { type NextFunction, type Request, type Response } from 'express';
import { groupRoutes } from '../api/groups.js';
import { hubRoutes } from '../api/hub-routes.js';
import { serverRoutes } from '../api/servers.js';
import { tokenRoutes } from '../api/tokens.js';
import { userRoutes } from '../api/users.js';
import { oauthProviderRoutes } from '../api/oauth-provider.js';
import { deviceRoutes } from '../auth/device-routes.js';
import { authSettingsRoutes } from '../auth/settings-routes.js';
import { localRoutes } from '../auth/local-routes.js';
import { oidcRoutes } from '../auth/oidc-routes.js';
import { authRoutes } from '../auth/routes.js';
import { sessionRoutes } from '../auth/session-routes.js';
import type { HubContext } from '../context.js';
import { HubError, isHubError } from '../errors.js';
import { problemPage } from '../pages/pages.js';
import { resolveAuth, sessionFromCookie } from './auth-context.js';
import { pageRoutes } from './page-routes.js';
import { uiRoutes } from '../ui/routes.js';
import { providerSettingsRoutes } from '../ui/provider-settings.js';
import { shellRoutes } from '../ui/shell.js';

const isApi = (req: Request) => req.path.startsWith('/hub/api') || req.path.startsWith('/hub/ui/api');

/** Maps a body-parser failure (bad JSON, too large) to a HubError. */
function bodyError(err: unknown): HubError | undefined {
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') {
    // JSON.parse quotes a piece of the body, which may be a secret typed without quotes: say where only.
    const message = e.message ?? '';
    const at = /position (\d+)/.exec(message)?.[1];
    const detail = /is not allowed$/.test(message) ? `: ${message}` : at ? ` (at character ${at})` : '';
    return new HubError(400, 'bad-json', `The request body is not valid JSON${detail}.`);
  }
  if (e?.type === 'entity.too.large') return new HubError(413, 'too-large', 'The request body is too large.');
  if (typeof e?.message === 'string' && e.message.startsWith('Failed to decode param')) {
    return new HubError(400, 'bad-escape', 'The address contains a malformed %-escape.');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new HubError(e.status, 'bad-request', e.message ?? 'Bad request.');
  }
  return undefined;
}

/** The hub's express app: API, OAuth provider, sign-in and pages, with one error format for each kind. */
export function createHubApp(ctx: HubContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('x-jupyterhub-version', ctx.config.jupyterhubVersion);
    next();
  });
  app.use('/hub/api', (req, res, next) => {
    // The version probe stays public even with a bad Authorization header.
    if (req.path === '/' || req.path === '') return next();
    // The OAuth token endpoint authenticates clients itself (form fields or HTTP Basic).
    if (req.path === '/oauth2/token') return next();
    res.locals.auth = resolveAuth(ctx, req);
    next();
  });
  app.use('/hub/ui/api', (req, res, next) => {
    res.locals.auth = resolveAuth(ctx, req);
    next();
  });
  app.use(hubRoutes(ctx));
  app.use(userRoutes(ctx));
  app.use(serverRoutes(ctx));
  app.use(tokenRoutes(ctx));
  app.use(groupRoutes(ctx));
  app.use(oauthProviderRoutes(ctx));
  app.use(authRoutes(ctx));
  app.use(sessionRoutes(ctx));
  app.use(oidcRoutes(ctx));
  app.use(deviceRoutes(ctx));
  app.use(authSettingsRoutes(ctx));
  app.use(localRoutes(ctx));
  app.use(uiRoutes(ctx));
  app.use(providerSettingsRoutes(ctx));
  app.use(shellRoutes(ctx));
  app.use(pageRoutes(ctx));
  app.use((req, res) => {
    if (isApi(req)) {
      res.status(404).json({ status: 404, message: `Not Found: ${req.method} ${req.path}` });
      return;
    }
    res
      .status(404)
      .type('html')
      .send(problemPage(404, { title: 'Not found', message: `Nothing lives at ${req.path}.` }));
  });
  // Express recognises error handlers by their four parameters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = isHubError(err) ? err : bodyError(err);
    if (!e)
      ctx.log(
        'error',
        `unexpected error on ${req.method} ${req.path}: ${(err as Error)?.stack ?? String(err)}`,
      );
    const status = e?.status ?? 500;
    const message = e?.message ?? 'The hub hit an unexpected error; it was logged for the administrator.';
    if (res.headersSent) {
      res.end();
      return;
    }
    if (isApi(req)) {
      res.status(status).json({
        status,
        message,
        ...(e?.fix ? { fix: e.fix } : {}),
        ...(e?.evidence.length ? { evidence: e.evidence } : {}),
        // Settings forms show these under each field.
        ...(e && 'fields' in e ? { fields: e.fields } : {}),
      });
      return;
    }
    const user = sessionFromCookie(ctx, req)?.user.name;
    res
      .status(status)
      .type('html')
      .send(
        problemPage(
          status,
          {
            title: status >= 500 ? 'Something went wrong' : 'That did not work',
            message,
            ...(e?.evidence.length ? { evidence: e.evidence } : {}),
            ...(e?.fix ? { fix: e.fix } : {}),
          },
          user,
        ),
      );
  });
  return app;
}
