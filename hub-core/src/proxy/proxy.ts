import http from 'node:http';
import type net from 'node:net';
import { ProxyServer } from 'http-proxy-3';
import { describeError } from '../errors.js';
import { problemPage } from '../pages/pages.js';
import { type Route, RouteTable } from './routes.js';

export interface ProxyOptions {
  routes: RouteTable;
  /** Everything without a route goes here: the hub's own pages and API. */
  hub: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /** Told when a route's target did not answer, so the hub can check the server. */
  onTargetError: (route: Route, error: string) => void;
  log: (msg: string) => void;
}

const HUB_COOKIE = /(^|;\s*)teamhub-[^=]*=[^;]*/g;

/** The hub's cookies stay with the hub: a user's container never sees another user's session. */
function stripHubCookies(req: http.IncomingMessage): void {
  const cookie = req.headers.cookie;
  if (cookie) req.headers.cookie = cookie.replace(HUB_COOKIE, '').replace(/^;\s*/, '');
}

function wantsJson(req: http.IncomingMessage): boolean {
  return /\/api(\/|$|\?)/.test(req.url ?? '') || /application\/json/.test(req.headers.accept ?? '');
}

function sendTargetDown(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  route: Route,
  error: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = `The server at ${route.prefix} is not answering.`;
  if (wantsJson(req)) {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 503, message: `${message} (${error})` }));
    return;
  }
  res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    problemPage(503, {
      title: 'Your server is not answering',
      message,
      evidence: [`${route.target}: ${error}`],
      fix: 'Go back to the TeamHub home page: it shows whether the server stopped, and lets you start it again.',
    }),
  );
}

/**
 * Rewrites the route's part of the path to its canonical spelling (`%40` → `@`), leaving the rest as
 * sent: the single-user server matches its prefix literally.
 */
export function canonicalPrefix(url: string, route: Route): string {
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const depth = route.prefix.split('/').length - 1;
  const rest = pathname.split('/').slice(depth).join('/');
  return `${route.prefix}${rest}${q < 0 ? '' : url.slice(q)}`;
}

/** One front door: `/user/<name>/…` (HTTP and websocket) to the user's container, the rest to the hub. */
export function createProxy(opts: ProxyOptions): {
  request: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  upgrade: (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => void;
  close: () => void;
} {
  // Without an agent every proxied request opens (and closes) a new connection to the container:
  // connect() dominated the proxy's CPU profile and throughput was a third of configurable-http-proxy's.
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256 });
  const proxy = new ProxyServer({ ws: true, xfwd: true, proxyTimeout: 0, agent });
  proxy.on('error', () => undefined);

  return {
    request(req, res) {
      const route = opts.routes.lookup(req.url ?? '/');
      if (!route) return opts.hub(req, res);
      route.lastActivity = new Date().toISOString();
      stripHubCookies(req);
      req.url = canonicalPrefix(req.url ?? '/', route);
      proxy.web(req, res, { target: route.target }, (err: Error) => {
        const error = describeError(err);
        opts.log(`proxy: ${route.prefix} -> ${route.target} failed: ${error}`);
        opts.onTargetError(route, error);
        sendTargetDown(req, res, route, error);
      });
    },
    upgrade(req, socket, head) {
      const route = opts.routes.lookup(req.url ?? '/');
      socket.on('error', () => undefined);
      if (!route) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      route.lastActivity = new Date().toISOString();
      stripHubCookies(req);
      req.url = canonicalPrefix(req.url ?? '/', route);
      proxy.ws(req, socket, head, { target: route.target }, (err: Error) => {
        opts.onTargetError(route, describeError(err));
        socket.destroy();
      });
    },
    close() {
      proxy.close();
      agent.destroy();
    },
  };
}
