import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { HubContext } from '../context.js';
import { sessionFromCookie } from '../http/auth-context.js';
import { problemPage } from '../pages/pages.js';

/** Where `vite build` puts the UI; compiled code lives under dist/, the source beside it: both reach <repo>/renderer. */
export function rendererDir(): string {
  const here = fileURLToPath(import.meta.url).replace(`${path.sep}dist${path.sep}`, path.sep);
  return path.resolve(path.dirname(here), '../../../renderer/dist');
}

/** The UI's screens: every one of them loads the same app shell, which routes in the browser. */
export const UI_PATHS = [
  '/hub/home',
  '/hub/spawn-pending/:name',
  '/hub/token',
  '/hub/tokens',
  '/hub/admin',
  '/hub/admin/*rest',
  '/hub/logs/*rest',
  '/hub/settings',
];

/** Serves the built React app: its hashed assets, and the shell for signed-in people on UI paths. */
export function shellRoutes(ctx: HubContext, dir = rendererDir()): Router {
  const r = Router();
  r.use(
    '/hub/static/ui',
    express.static(path.join(dir, 'static', 'ui'), { immutable: true, maxAge: '365d', index: false }),
  );
  let shell: string | undefined;
  const readShell = () => {
    if (shell === undefined || process.env.TEAMHUB_UI_DEV === '1') {
      shell = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    }
    return shell;
  };
  r.get(UI_PATHS, (req, res) => {
    if (!sessionFromCookie(ctx, req)) {
      res.redirect(302, `/hub/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    let html: string;
    try {
      html = readShell();
    } catch {
      res
        .status(503)
        .type('html')
        .send(
          problemPage(503, {
            title: 'The TeamHub UI is not built',
            message: `No UI build was found at ${dir}.`,
            fix: 'Run "npm run build" in the TeamHub folder, then reload this page.',
          }),
        );
      return;
    }
    res.set('cache-control', 'no-store').type('html').send(html);
  });
  return r;
}
