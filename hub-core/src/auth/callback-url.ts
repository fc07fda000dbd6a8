// The owner's own browser: these names share the default callback (http://localhost:<port>/…), and a
// sign-in started on one of them hops to localhost first so the state cookie and callback agree.
const OWNER_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;
const HOST = /^([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/;

/**
 * The redirect URI for a sign-in started by a browser that reached the hub as `host`. A configured
 * callback URL always wins; otherwise a teammate who reached the hub at another address (a LAN
 * address, or 127.0.0.2 in tests) is sent back to that address, since "localhost" would be their
 * own machine. The provider must have that URI registered; it rejects any other.
 */
export function callbackFor(defaultUrl: string, configured: boolean, host: string | undefined): string {
  if (configured || !host || OWNER_HOSTS.test(host) || !HOST.test(host)) return defaultUrl;
  const u = new URL(defaultUrl);
  return `http://${host}${u.pathname}`;
}
