import type os from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '[::]']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The address the window opens: a hub listening on every interface is still reached on loopback. */
export function windowUrlFor(publicUrl: string): string {
  const u = new URL(publicUrl);
  if (WILDCARDS.has(u.hostname)) u.hostname = '127.0.0.1';
  return u.toString();
}

/**
 * The address teammates use: null while the hub listens on loopback only (LAN mode off); the first
 * non-internal IPv4 address when it listens everywhere; otherwise the address it listens on.
 */
export function lanUrlFor(
  publicUrl: string,
  interfaces: ReturnType<typeof os.networkInterfaces>,
): string | null {
  const u = new URL(publicUrl);
  if (LOOPBACK.has(u.hostname)) return null;
  if (WILDCARDS.has(u.hostname)) {
    const address = Object.values(interfaces)
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!address) return null;
    u.hostname = address;
  }
  return u.toString();
}
