import type http from 'node:http';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

export interface CookieOptions {
  path: string;
  maxAgeSeconds?: number;
  secure?: boolean;
}

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const attrs = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (o.maxAgeSeconds !== undefined) attrs.push(`Max-Age=${o.maxAgeSeconds}`);
  if (o.secure) attrs.push('Secure');
  return attrs.join('; ');
}

export function appendSetCookie(res: http.ServerResponse, cookie: string): void {
  const prev = res.getHeader('set-cookie');
  const list = Array.isArray(prev) ? prev : prev ? [String(prev)] : [];
  res.setHeader('set-cookie', [...list, cookie]);
}
