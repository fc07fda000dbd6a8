/**
 * What the window may load, open and use. Pure functions (no Electron import) so every rule is unit
 * tested; main.ts only wires them to Electron's events. Everything not allowed here is denied.
 */

export interface WebPolicy {
  /** Origins the hub answers on, e.g. http://127.0.0.1:8000 and http://localhost:8000 (the OAuth callback). */
  hubOrigins: string[];
  /** Provider pages the sign-in flow passes through (origin + path prefixes), e.g. GitHub's /login. */
  loginPages: { origin: string; pathPrefixes: string[] }[];
}

export type NavigationDecision = 'allow' | 'open-externally' | 'deny';

function parse(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

const isWeb = (u: URL) => u.protocol === 'http:' || u.protocol === 'https:';

/** True when the URL belongs to the hub itself. */
export function isHubUrl(raw: string, policy: WebPolicy): boolean {
  const u = parse(raw);
  return !!u && isWeb(u) && policy.hubOrigins.includes(u.origin);
}

/** True for a provider page that the OAuth sign-in needs to show inside the window. */
export function isLoginPage(raw: string, policy: WebPolicy): boolean {
  const u = parse(raw);
  if (!u || u.protocol !== 'https:' || u.username || u.password) return false;
  return policy.loginPages.some(
    (p) =>
      p.origin === u.origin &&
      p.pathPrefixes.some(
        (prefix) => prefix === '/' || u.pathname === prefix || u.pathname.startsWith(`${prefix}/`),
      ),
  );
}

/**
 * In-window navigation: the hub and the sign-in pages load in the window; any other web page opens in
 * the system browser; other schemes (file:, javascript:, custom protocols) are refused.
 */
export function decideNavigation(raw: string, policy: WebPolicy): NavigationDecision {
  if (isHubUrl(raw, policy) || isLoginPage(raw, policy)) return 'allow';
  return isExternalOpenable(raw) ? 'open-externally' : 'deny';
}

/** window.open and target=_blank never make a new Electron window: web links go to the system browser. */
export function decideWindowOpen(raw: string): Exclude<NavigationDecision, 'allow'> {
  return isExternalOpenable(raw) ? 'open-externally' : 'deny';
}

/** Only http(s) URLs without credentials in them are handed to the system browser. */
export function isExternalOpenable(raw: string): boolean {
  const u = parse(raw);
  return !!u && isWeb(u) && !u.username && !u.password && u.hostname !== '';
}

/**
 * Web permissions (camera, notifications, geolocation, …) are refused. The hub's own pages may write
 * to the clipboard (copy token / copy URL buttons) and go full screen (notebooks' presentation mode).
 */
const HUB_PERMISSIONS = new Set(['clipboard-sanitized-write', 'fullscreen']);

export function decidePermission(permission: string, requestingUrl: string, policy: WebPolicy): boolean {
  return HUB_PERMISSIONS.has(permission) && isHubUrl(requestingUrl, policy);
}

/** What an IPC event says about the frame that sent it (Electron's WebFrameMain has these). */
export interface SenderFrame {
  url: string;
  /** null for a top-level frame. */
  parent: unknown;
}

/** IPC senders: only the top frame showing a hub page may use the desktop bridge. */
export function isTrustedSender(frame: SenderFrame | null | undefined, policy: WebPolicy): boolean {
  return !!frame && frame.parent === null && isHubUrl(frame.url, policy);
}

/** The sign-in providers the hub is set up with (the parts of hub-core's auth settings read here). */
export interface LoginProviders {
  github?: { url: string } | undefined;
  oidc?: { issuer: string }[] | undefined;
}

/**
 * The policy for a hub on `publicUrl`. GitHub: its sign-in pages only (/login, /session, /sessions).
 * OpenID providers: the issuer's origin, whose login pages live at paths discovery decides.
 */
export function webPolicyFor(publicUrl: string, providers: LoginProviders = {}): WebPolicy {
  const hub = new URL(publicUrl);
  const origins = new Set([hub.origin]);
  // The OAuth callback defaults to localhost while the window opens 127.0.0.1: both are this hub.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  if (loopback.includes(hub.hostname))
    for (const host of loopback) origins.add(`${hub.protocol}//${host}${hub.port ? `:${hub.port}` : ''}`);
  const loginPages: WebPolicy['loginPages'] = [];
  if (providers.github)
    loginPages.push({
      origin: new URL(providers.github.url).origin,
      pathPrefixes: ['/login', '/session', '/sessions'],
    });
  for (const p of providers.oidc ?? [])
    loginPages.push({ origin: new URL(p.issuer).origin, pathPrefixes: ['/'] });
  return { hubOrigins: [...origins], loginPages };
}
