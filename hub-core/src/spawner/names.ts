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

export function containerName(user: string, server = ''): string {
  const base = `teamhub-${escapeForDocker(user)}`;
  return server ? `${base}--${escapeForDocker(server)}` : base;
}

export function volumeName(user: string): string {
  return `teamhub-user-${escapeForDocker(user)}`;
}

/** The URL path prefix of a user's server, as JupyterHub builds it (`/user/alice/`, `/user/alice/nb2/`). */
export function serverPrefix(user: string, server = ''): string {
  const q = (s: string) => encodeURIComponent(s).replace(/%40/g, '@').replace(/%7E/gi, '~');
  return `/user/${q(user)}/${server ? `${q(server)}/` : ''}`;
}
