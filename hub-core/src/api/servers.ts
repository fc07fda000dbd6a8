import { type Request, type Response, Router } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { ProgressEvent } from '../events.js';
import { serverPrefix } from '../spawner/names.js';
import { usernameProblem } from '../usernames.js';
import { bodyObject, caller, findUser, needScope, jsonBody } from './common.js';
import { isActive } from './models.js';

const SLOW_SPAWN_MS = 10_000;
const SLOW_STOP_MS = 10_000;

/** Waits for `p` up to `ms`: true when it finished, false when it is still going. Rejections propagate. */
async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function serverName(ctx: HubContext, req: Request): string {
  const name = typeof req.params.server === 'string' ? req.params.server : '';
  if (!name) return '';
  if (!ctx.config.namedServers.enabled) {
    throw new HubError(
      400,
      'named-disabled',
      'Named servers are not enabled on this hub (set namedServers.enabled).',
    );
  }
  // Server names are URL path segments too: "..", "/" or control characters would escape the prefix.
  const problem = usernameProblem(name);
  if (problem)
    throw new HubError(400, 'bad-server-name', `Invalid server name ${JSON.stringify(name)} (${problem}).`);

  return name;
}

/** The user and server name a request is about, once the caller holds `scope` on that server. */
function authorizedServer(ctx: HubContext, req: Request, res: Response, scope: string) {
  const auth = caller(ctx, req, res);
  const user = findUser(ctx, String(req.params.name));
  const name = serverName(ctx, req);
  needScope(auth, [scope], {
    server: `${user.name}/${name}`,
    groups: ctx.store.groups.groupNamesOf(user.id),
  });
  return { user, name };
}

export function serverRoutes(ctx: HubContext): Router {
  const r = Router();
  const json = jsonBody('1mb');

  const start = async (req: Request, res: Response) => {
    const { user, name } = authorizedServer(ctx, req, res, 'servers');
    const options = bodyObject(req, 'a JSON object of user options');
    const existing = ctx.store.getServer(user.id, name);
    if (ctx.servers.isStopQueued(user, name)) {
      throw new HubError(
        400,
        'stop-pending',
        `${user.name}'s server${name ? ` ${name}` : ''} is being stopped; start it again once it has stopped.`,
      );
    }
    if (existing?.status === 'spawning') {
      res.status(202).type('text/plain').end();
      return;
    }
    if (existing?.status === 'running') {
      throw new HubError(
        400,
        'already-running',
        `${user.name}'s server${name ? ` ${name}` : ''} is already running`,
      );
    }
    if (name && !existing) {
      const limit = ctx.config.namedServers.limitPerUser;
      const named = ctx.store.serversOf(user.id).filter((s) => s.name !== '' && isActive(s)).length;
      if (limit > 0 && named >= limit) {
        throw new HubError(
          400,
          'named-limit',
          `${user.name} already has the maximum of ${limit} named servers running.`,
        );
      }
    }
    await ctx.docker.ensureReachable();
    const { done } = ctx.servers.spawn(user, name, options);
    const finished = await within(done, SLOW_SPAWN_MS);
    res
      .status(finished ? 201 : 202)
      .type('text/plain')
      .end();
  };

  const stop = async (req: Request, res: Response) => {
    const { user, name } = authorizedServer(ctx, req, res, 'delete:servers');
    const body = bodyObject(req);
    if ('remove' in body && typeof body.remove !== 'boolean') {
      throw new HubError(
        400,
        'bad-remove',
        `remove must be true or false, not ${JSON.stringify(body.remove)}.`,
      );
    }
    const remove = body.remove === true;
    if (remove && !name)
      throw new HubError(
        400,
        'remove-default',
        'Cannot remove the default server (only named servers can be removed).',
      );
    const existing = ctx.store.getServer(user.id, name);
    if (name && !existing) throw new HubError(404, 'no-server', `${user.name} has no server named ${name}`);
    // `remove` applies once the stop is done, even when that is after the 202.
    const stopped = ctx.servers.stop(user, name).then(() => {
      if (remove && existing) ctx.store.deleteServer(existing.id);
    });
    stopped.catch((err: unknown) =>
      ctx.log('warn', `stopping ${user.name}'s server ${name} failed: ${String(err)}`),
    );
    const finished = await within(stopped, SLOW_STOP_MS);
    res
      .status(finished ? 204 : 202)
      .type('text/plain')
      .end();
  };

  const progress = (req: Request, res: Response) => {
    const { user, name } = authorizedServer(ctx, req, res, 'read:servers');
    const server = ctx.store.getServer(user.id, name);
    if (name && !server) throw new HubError(404, 'no-server', `${user.name} has no server named ${name}`);
    const pending = ctx.servers.progressOf(user, name);
    const failure = ctx.servers.failureEventOf(user, name);
    if (!pending && server?.status !== 'running' && !failure) {
      throw new HubError(
        400,
        'not-starting',
        `${user.name}'s server${name ? ` ${name}` : ''} is not starting...`,
      );
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write('\n\n');
    const send = (e: ProgressEvent) => res.write(`data: ${JSON.stringify(e)}\n\n`);
    if (!pending) {
      send(
        server?.status === 'running'
          ? ctx.servers.readyEvent(serverPrefix(user.name, name))
          : (failure as ProgressEvent),
      );
      res.end();
      return;
    }
    pending.forEach(send);
    const key = `progress:${user.id}/${name}`;
    const keepAlive = setInterval(() => res.write('\n\n'), 8000);
    const finish = () => {
      clearInterval(keepAlive);
      ctx.events.off(key, onEvent);
      res.end();
    };
    const onEvent = (e: ProgressEvent) => {
      send(e);
      if (e.ready || e.failed) finish();
    };
    const last = pending[pending.length - 1];
    if (last?.ready || last?.failed) return finish();
    ctx.events.on(key, onEvent);
    req.on('close', finish);
  };

  r.post(['/hub/api/users/:name/server', '/hub/api/users/:name/servers/:server'], json, start);
  r.delete(['/hub/api/users/:name/server', '/hub/api/users/:name/servers/:server'], json, stop);
  r.get(['/hub/api/users/:name/server/progress', '/hub/api/users/:name/servers/:server/progress'], progress);
  return r;
}
