/**
 * Keeps a `next` redirect target only when it stays on this hub: a path starting with a single '/',
 * no scheme, no host, no backslashes. Anything else falls back to the default.
 */
export function safeNext(next: unknown, fallback = '/hub/home'): string {
  if (typeof next !== 'string' || next === '') return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return fallback;
  // Control characters (a newline in a Location header, say) never belong in a redirect.
  if ([...next].some((ch) => ch.charCodeAt(0) < 0x20)) return fallback;
  return next;
}
