import type { HubContext } from '../context.js';

export interface LoginOption {
  /** `github`, `github-device`, `oidc-<id>` or `local`: also the id of the button on the sign-in page (`login-<id>`). */
  id: string;
  label: string;
  kind: 'github' | 'github-device' | 'oidc' | 'local';
  /** Where a browser goes to start (GET); for `local`, where the form posts (username, password). */
  loginUrl: string;
}

export interface LoginOptions {
  providers: LoginOption[];
  /** Whether the sign-in page offers "ask for an account" (local accounts waiting for approval). */
  localSignup: boolean;
  /** Why nobody can sign in, when no provider is configured. */
  problem?: string;
}

/** The sign-in choices, for the server-rendered page and GET /hub/login/options (no secrets). */
export function loginOptions(ctx: HubContext): LoginOptions {
  const providers: LoginOption[] = [];
  if (ctx.github)
    providers.push({ id: 'github', label: 'GitHub', kind: 'github', loginUrl: '/hub/oauth_login' });
  if (ctx.github && ctx.config.auth.github?.deviceFlow) {
    // No callback URL involved: the choice for teammates on the LAN.
    providers.push({
      id: 'github-device',
      label: 'GitHub using a code',
      kind: 'github-device',
      loginUrl: '/hub/device_login',
    });
  }
  for (const p of ctx.oidc) {
    providers.push({
      id: `oidc-${p.cfg.id}`,
      label: p.label,
      kind: 'oidc',
      loginUrl: `/hub/oidc/${p.cfg.id}/login`,
    });
  }
  const local = ctx.config.auth.local;
  if (local.enabled)
    providers.push({ id: 'local', label: 'a TeamHub account', kind: 'local', loginUrl: '/hub/login' });
  return {
    providers,
    localSignup: local.enabled && local.signup === 'approval',
    ...(providers.length
      ? {}
      : {
          problem: `No sign-in method is configured. ${ctx.githubProblem ?? ''} Or add an OpenID provider under auth.oidc, or turn on auth.local.enabled for password accounts.`,
        }),
  };
}

/** The authenticator name /hub/api/info reports (JupyterHub reports its Authenticator class there). */
export function authenticatorClass(ctx: HubContext): string {
  const kinds = [
    ...new Set(loginOptions(ctx).providers.map((p) => (p.kind === 'github-device' ? 'github' : p.kind))),
  ];
  const names: Record<string, string> = { github: 'GitHubLogin', oidc: 'OidcLogin', local: 'LocalLogin' };
  if (kinds.length === 0) return 'teamhub.NoLogin';
  return `teamhub.${kinds.length === 1 ? names[kinds[0] as string] : 'MultiLogin'}`;
}
