/**
 * Keeps a `next` redirect target only when it stays on this hub: a path starting with a single '/',
 * no scheme, no host, no backslashes. Anything else falls back to the default.
 */
export function safeNext(next: unknown, fallback = '/hub/home'): string {
  if (typeof next !== 'string' || next === '') return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return fallback;
  if (/[\u0000-\u001f]/.test(next)) return fallback;
  return next;
}
