import * as oidc from 'openid-client';
import type { GithubConfig } from '../config/schema.js';
import { HubError, describeError } from '../errors.js';
import { callbackFor } from './callback-url.js';
import { isNetworkError, providerErrorCode, providerErrorDescription } from './provider-errors.js';

export interface LoginStart {
  url: string;
  state: string;
  codeVerifier: string;
}

export interface ProviderIdentity {
  provider: 'github';
  /** The login at the provider, as the provider spells it. */
  login: string;
  id: string;
  /** The scopes the user granted (GitHub says so in the token response). */
  grantedScopes: string[];
  /** For membership checks right after sign-in; never stored. */
  accessToken: string;
}

export type Membership = 'member' | 'not-member' | 'unverifiable';

const trimSlash = (u: string) => u.replace(/\/+$/, '');

/** Sign-in with GitHub (or GitHub Enterprise): authorization code flow with state and PKCE, via openid-client. */
export class GithubLogin {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  private readonly client: oidc.Configuration;

  constructor(
    private readonly cfg: GithubConfig,
    readonly callbackUrl: string,
  ) {
    const web = trimSlash(cfg.url);
    this.authorizeUrl = `${web}/login/oauth/authorize`;
    this.tokenUrl = `${web}/login/oauth/access_token`;
    this.client = new oidc.Configuration(
      { issuer: web, authorization_endpoint: this.authorizeUrl, token_endpoint: this.tokenUrl },
      cfg.clientId,
      { client_secret: cfg.clientSecret },
      oidc.ClientSecretPost(cfg.clientSecret),
    );
    const timeoutMs = cfg.timeoutSeconds * 1000;
    this.client[oidc.customFetch] = (url, options) =>
      fetch(url, { ...options, signal: AbortSignal.timeout(timeoutMs) } as RequestInit);
    if (web.startsWith('http:') || trimSlash(cfg.apiUrl).startsWith('http:'))
      oidc.allowInsecureRequests(this.client);
  }

  /** The redirect URI for a browser that reached the hub as `host` (see callback-url.ts). */
  callbackFor(host: string | undefined): string {
    return callbackFor(this.callbackUrl, !!this.cfg.callbackUrl, host);
  }

  async start(redirectUri = this.callbackUrl): Promise<LoginStart> {
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    };
    // Private org and team membership is only visible with read:org (field case F07).
    const scopes = [...this.cfg.scopes, ...(this.cfg.allowedOrganizations.length ? ['read:org'] : [])];
    if (scopes.length) params.scope = [...new Set(scopes)].join(' ');
    return { url: oidc.buildAuthorizationUrl(this.client, params).href, state, codeVerifier };
  }

  /**
   * Exchanges the code and asks GitHub who this is. Every failure becomes a HubError naming the URL
   * and the provider's error code; the code itself is never logged or retried.
   */
  async finish(callback: URL, expected: { state: string; codeVerifier: string }): Promise<ProviderIdentity> {
    let tokens: oidc.TokenEndpointResponse;
    try {
      tokens = await oidc.authorizationCodeGrant(this.client, callback, {
        expectedState: expected.state,
        pkceCodeVerifier: expected.codeVerifier,
      });
    } catch (err) {
      throw this.exchangeError(err);
    }
    const granted = typeof tokens.scope === 'string' ? tokens.scope.split(/[\s,]+/).filter(Boolean) : [];
    return {
      ...(await this.identify(tokens.access_token)),
      grantedScopes: granted,
      accessToken: tokens.access_token,
    };
  }

  /**
   * Whether `login` belongs to an `org` or `org:team` rule. GitHub answers 204 for a member; without
   * read:org, a private member looks like a non-member, so that case is "unverifiable", not "no".
   */
  async membership(identity: ProviderIdentity, rule: string): Promise<Membership> {
    const [org, team] = rule.split(':');
    const api = trimSlash(this.cfg.apiUrl);
    const url = team
      ? `${api}/orgs/${encodeURIComponent(org ?? '')}/teams/${encodeURIComponent(team)}/memberships/${encodeURIComponent(identity.login)}`
      : `${api}/orgs/${encodeURIComponent(org ?? '')}/members/${encodeURIComponent(identity.login)}`;
    try {
      const res = await fetch(url, {
        headers: {
          authorization: `Bearer ${identity.accessToken}`,
          accept: 'application/json',
          'user-agent': 'TeamHub',
        },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.cfg.timeoutSeconds * 1000),
      });
      const body = (await res.json().catch(() => undefined)) as { state?: string } | undefined;
      if (res.status === 204 || (res.status === 200 && (!team || body?.state === 'active'))) return 'member';
    } catch {
      return 'unverifiable';
    }
    return identity.grantedScopes.includes('read:org') ? 'not-member' : 'unverifiable';
  }

  private exchangeError(err: unknown): HubError {
    const providerCode = providerErrorCode(err);
    if (providerCode) {
      const description = providerErrorDescription(err);
      const fixes: Record<string, string> = {
        incorrect_client_credentials:
          'Check the client secret (Settings → Sign-in, or auth.github.clientSecret): it must be the current secret of the GitHub OAuth app.',
        redirect_uri_mismatch: `Set the "Authorization callback URL" of the GitHub OAuth app to exactly ${this.callbackUrl}`,
        bad_verification_code: 'Try signing in again; the code GitHub sent is used up or expired.',
      };
      return new HubError(
        400,
        'oauth-provider-error',
        `GitHub refused the sign-in code (${providerCode}${description ? `: ${description}` : ''}).`,
        {
          evidence: [`POST ${this.tokenUrl} answered error=${providerCode}`],
          fix:
            fixes[providerCode] ??
            'Try signing in again; if it keeps failing, check the GitHub OAuth app settings.',
        },
      );
    }
    // openid-client rejects a malformed or unexpected callback (e.g. a foreign `iss`) before any network call.
    if (!isNetworkError(err)) {
      return new HubError(
        400,
        'oauth-bad-response',
        `GitHub sign-in failed: the sign-in response was not valid (${(err as Error).message}).`,
        {
          fix: 'Start again from the sign-in page.',
        },
      );
    }
    return new HubError(
      502,
      'oauth-exchange-failed',
      `The token exchange with GitHub failed: ${describeError(err)}.`,
      {
        evidence: [`POST ${this.tokenUrl}: ${describeError(err)}`],
        fix: 'Try again; if it keeps failing, check that this machine can reach GitHub.',
      },
    );
  }

  /** Asks GitHub's API who holds this token. */
  async identify(accessToken: string): Promise<ProviderIdentity> {
    const url = `${trimSlash(this.cfg.apiUrl)}/user`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
          'user-agent': 'TeamHub',
        },
        signal: AbortSignal.timeout(this.cfg.timeoutSeconds * 1000),
      });
    } catch (err) {
      throw new HubError(
        502,
        'oauth-user-failed',
        `Asking GitHub who you are failed: ${describeError(err)}.`,
        {
          evidence: [`GET ${url}: ${describeError(err)}`],
        },
      );
    }
    const body = (await res.json().catch(() => undefined)) as { login?: unknown; id?: unknown } | undefined;
    if (!res.ok || typeof body?.login !== 'string' || body.login === '') {
      throw new HubError(
        502,
        'oauth-user-failed',
        `GitHub did not say who you are (HTTP ${res.status} from ${url}).`,
        {
          evidence: [`GET ${url} → ${res.status}`],
          fix: 'Check the GitHub API address (Settings → Sign-in, or auth.github.apiUrl): https://api.github.com for github.com, https://<your server>/api/v3 for GitHub Enterprise.',
        },
      );
    }
    return {
      provider: 'github',
      login: body.login,
      id: String(body.id ?? ''),
      grantedScopes: [],
      accessToken,
    };
  }
}
