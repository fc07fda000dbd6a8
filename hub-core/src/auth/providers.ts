import type { HubConfig } from '../config/schema.js';
import { GithubLogin } from './github.js';
import { OidcLogin } from './oidc.js';

export interface SignInProviders {
  github: GithubLogin | undefined;
  /** Why GitHub sign-in is off, for the sign-in page and the settings screen. */
  githubProblem: string | undefined;
  oidc: OidcLogin[];
}

const NO_GITHUB =
  'GitHub sign-in is not configured: enter the GitHub OAuth app in Settings → Sign-in, or set auth.github.clientId and auth.github.clientSecret (TEAMHUB_GITHUB_CLIENT_ID and TEAMHUB_GITHUB_CLIENT_SECRET).';

/** The provider clients for these settings; a callback URL left out is this hub's own on localhost. */
export function buildProviders(auth: HubConfig['auth'], port: number): SignInProviders {
  const gh = auth.github;
  return {
    github: gh
      ? new GithubLogin(gh, gh.callbackUrl ?? `http://localhost:${port}/hub/oauth_callback`)
      : undefined,
    githubProblem: gh ? undefined : NO_GITHUB,
    oidc: auth.oidc.map(
      (p) => new OidcLogin(p, p.callbackUrl ?? `http://localhost:${port}/hub/oidc/${p.id}/callback`),
    ),
  };
}

/** True when at least one way to sign in with a browser is on. */
export const someSignInMethod = (auth: HubConfig['auth']): boolean =>
  !!auth.github || auth.oidc.length > 0 || auth.local.enabled;
