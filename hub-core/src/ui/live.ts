import type { Request, Response } from 'express';
import type { HubContext } from '../context.js';
import { serverPrefix } from '../spawner/names.js';
import type { ServerRow, UserRow } from '../store/store.js';

export interface ServerSummary {
  user: string;
  name: string;
  status: ServerRow['status'];
  url: string;
  progressUrl: string;
  started: string | null;
  lastActivity: string | null;
  failure: ServerRow['failure'];
}

export function serverSummaries(ctx: HubContext, visible: (u: UserRow) => boolean): ServerSummary[] {
  const out: ServerSummary[] = [];
  for (const s of ctx.store.listServers()) {
    const u = ctx.store.getUserById(s.user_id);
    if (!u || !visible(u)) continue;
    const path = s.name ? `servers/${encodeURIComponent(s.name)}` : 'server';
    out.push({
      user: u.name,
      name: s.name,
      status: s.status,
      url: serverPrefix(u.name, s.name),
      progressUrl: `/hub/api/users/${encodeURIComponent(u.name)}/${path}/progress`,
      started: s.started,
      lastActivity: s.last_activity,
      failure: s.failure,
    });
  }
  return out;
}

const TICK_MS = 1000;

/**
 * Server states as server-sent events: the full visible list whenever it changes. A change shows
 * within a tick, and at once when the hub records an event (spawn, stop, failure).
 */
export function liveStream(ctx: HubContext, req: Request, res: Response, visible: (u: UserRow) => boolean) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  let last = '';
  let beats = 0;
  const push = () => {
    const now = JSON.stringify(serverSummaries(ctx, visible));
    if (now !== last) {
      last = now;
      res.write(`event: servers\ndata: ${now}\n\n`);
    } else if (++beats % 15 === 0) {
      res.write(': keep-alive\n\n');
    }
  };
  push();
  const timer = setInterval(push, TICK_MS);
  const onEvent = () => setImmediate(push);
  ctx.events.on('event', onEvent);
  req.on('close', () => {
    clearInterval(timer);
    ctx.events.off('event', onEvent);
  });
}
