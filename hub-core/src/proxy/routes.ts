/** Percent-encodes one path segment the way route keys are stored (JupyterHub keeps '@' and '~' literal). */
export function quoteSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%40/g, '@').replace(/%7E/gi, '~');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The path in canonical encoding, so `/user/a%40b/` and `/user/a@b/` find the same route. */
export function canonicalPath(pathname: string): string {
  return pathname
    .split('/')
    .map((s) => quoteSegment(safeDecode(s)))
    .join('/');
}

export interface Route {
  prefix: string;
  target: string;
  user: string;
  server: string;
  /** The container behind the route: when it dies, the route goes, whatever the store says. */
  containerId?: string;
  /** When the last request went through this route (ISO time). */
  lastActivity?: string;
}

/** Routes by path prefix (`/user/alice/`), longest prefix wins, matched on whole segments. */
export class RouteTable {
  private readonly routes = new Map<string, Route>();

  add(route: Route): void {
    this.routes.set(route.prefix, route);
  }

  remove(prefix: string): void {
    this.routes.delete(prefix);
  }

  /** Removes every route to this container (a container that died must not keep an address). */
  removeContainer(containerId: string): void {
    for (const [prefix, r] of this.routes) if (r.containerId === containerId) this.routes.delete(prefix);
  }

  list(): Route[] {
    return [...this.routes.values()];
  }

  /** The route for a request path (query string allowed), or undefined. */
  lookup(url: string): Route | undefined {
    const pathname = canonicalPath(url.split('?')[0] ?? '/');
    const segments = pathname.split('/');
    for (let n = segments.length; n > 1; n--) {
      const candidate = segments.slice(0, n).join('/');
      const route = this.routes.get(candidate.endsWith('/') ? candidate : `${candidate}/`);
      if (route) return route;
    }
    return undefined;
  }
}
