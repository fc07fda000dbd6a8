/**
 * Docker names from hub user names. Every character outside [a-z0-9] (including '-' and capitals)
 * becomes '-' plus the hex of its UTF-8 bytes, so the mapping is stable and never collides:
 * `Alice` → `-41lice`, `a-b` → `a-2db`, `x@y.org` → `x-40y-2eorg`. The prefix starts with a
 * letter, which Docker requires of names.
 */
export function escapeForDocker(name: string): string {
  let out = '';
  for (const ch of name) {
    if (/^[a-z0-9]$/.test(ch)) out += ch;
    else out += '-' + Buffer.from(ch, 'utf8').toString('hex');
  }
  return out;
}

export function containerName(prefix: string, user: string, server = ''): string {
  const base = `${prefix}-${escapeForDocker(user)}`;
  return server ? `${base}--${escapeForDocker(server)}` : base;
}

export function volumeName(prefix: string, user: string): string {
  return `${prefix}-user-${escapeForDocker(user)}`;
}

/** Docker rejects names past about 250 bytes (a volume's folder name); leave room for the prefix. */
export const MAX_ESCAPED_NAME = 180;

/** The URL path prefix of a user's server, as JupyterHub builds it (`/user/alice/`, `/user/alice/nb2/`). */
export function serverPrefix(user: string, server = ''): string {
  const q = (s: string) => encodeURIComponent(s).replace(/%40/g, '@').replace(/%7E/gi, '~');
  return `/user/${q(user)}/${server ? `${q(server)}/` : ''}`;
}
