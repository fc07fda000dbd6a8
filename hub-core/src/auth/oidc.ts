import * as oidc from 'openid-client';
import type { OidcConfig } from '../config/schema.js';
import { HubError, describeError } from '../errors.js';
import { callbackFor } from './callback-url.js';
import { groupsFromClaim, usernameFromClaim } from './claim-username.js';
import { isNetworkError, providerErrorCode, providerErrorDescription } from './provider-errors.js';

export interface OidcStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string | undefined;
}

export interface OidcIdentity {
  /** The `sub` claim: the stable account id at the provider. */
  subject: string;
  /** The claim value the user name came from, as the provider sent it. */
  login: string;
  /** The hub user name after normalisation. */
  name: string;
  groups: string[];
  accessToken: string;
  refreshToken: string | undefined;
}

type Claims = Record<string, unknown>;

/** Sign-in with one OpenID Connect provider: discovery, authorization code flow with state, nonce and PKCE. */
export class OidcLogin {
  private config: oidc.Configuration | undefined;

  constructor(
    readonly cfg: OidcConfig,
    readonly callbackUrl: string,
  ) {}

  get label(): string {
    return this.cfg.displayName;
  }
  get providerKey(): string {
    return `oidc:${this.cfg.id}`;
  }
  private get discoveryUrl(): string {
    return this.cfg.discoveryUrl ?? this.cfg.issuer;
  }

  /** Reads the discovery document once it answers; until then every sign-in tries again. */
  async configuration(): Promise<oidc.Configuration> {
    if (this.config) return this.config;
    const insecure = [this.cfg.issuer, this.discoveryUrl].some((u) => u.startsWith('http:'));
    const options: oidc.DiscoveryRequestOptions = {
      timeout: this.cfg.timeoutSeconds,
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    };
    let config: oidc.Configuration;
    try {
      const secret = this.cfg.clientSecret;
      config = await oidc.discovery(
        new URL(this.discoveryUrl),
        this.cfg.clientId,
        secret ? { client_secret: secret } : {},
        secret ? undefined : oidc.None(),
        options,
      );
    } catch (err) {
      throw new HubError(
        502,
        'oidc-discovery-failed',
        `${this.label} sign-in is not available: the hub could not read the provider's OpenID configuration (${shortCause(err)}).`,
        {
          evidence: [`GET ${discoveryDocument(this.discoveryUrl)}: ${describeError(err)}`],
          fix: `Check the issuer of "${this.cfg.id}" (${this.cfg.issuer}; Settings → Sign-in, or auth.oidc): it must be the provider's issuer URL and reachable from this machine.`,
        },
      );
    }
    if (this.cfg.clientSecret) {
      // Prefer HTTP Basic where offered (the OAuth default); else send the secret in the form.
      const methods = config.serverMetadata().token_endpoint_auth_methods_supported;
      const basic = !methods || methods.includes('client_secret_basic');
      const auth = basic
        ? oidc.ClientSecretBasic(this.cfg.clientSecret)
        : oidc.ClientSecretPost(this.cfg.clientSecret);
      config = new oidc.Configuration(
        config.serverMetadata(),
        this.cfg.clientId,
        { client_secret: this.cfg.clientSecret },
        auth,
      );
      if (insecure) oidc.allowInsecureRequests(config);
      config.timeout = this.cfg.timeoutSeconds;
    }
    this.config = config;
    return config;
  }

  /** The redirect URI for a browser that reached the hub as `host` (see callback-url.ts). */
  callbackFor(host: string | undefined): string {
    return callbackFor(this.callbackUrl, !!this.cfg.callbackUrl, host);
  }

  async start(redirectUri = this.callbackUrl): Promise<OidcStart> {
    const config = await this.configuration();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = this.cfg.pkce ? oidc.randomPKCECodeVerifier() : undefined;
    const scopes = [...new Set(['openid', ...this.cfg.scopes])];
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: scopes.join(' '),
      state,
      nonce,
    };
    if (codeVerifier) {
      params.code_challenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
      params.code_challenge_method = 'S256';
    }
    return { url: oidc.buildAuthorizationUrl(config, params).href, state, nonce, codeVerifier };
  }

  /** Exchanges the code, checks the ID token and maps its claims (with userinfo where needed) to a hub user. */
  async finish(
    callback: URL,
    expected: { state: string; nonce: string; codeVerifier: string | undefined },
  ): Promise<OidcIdentity> {
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callback, {
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
        ...(expected.codeVerifier ? { pkceCodeVerifier: expected.codeVerifier } : {}),
      });
    } catch (err) {
      throw this.exchangeError(err);
    }
    const idClaims = (tokens.claims() ?? {}) as Claims;
    const subject = String(idClaims.sub ?? '');
    const claims = await this.withUserinfo(config, tokens.access_token, subject, idClaims);
    return {
      ...this.mapClaims(claims),
      subject,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
    };
  }

  /**
   * The groups the provider says the user is in now: through the refresh token when there is one
   * (a new ID token), else userinfo with the stored access token. Undefined when the provider did
   * not answer (the caller keeps the session rather than signing people out during an outage).
   */
  async currentGroups(state: {
    accessToken?: string;
    refreshToken?: string;
    subject: string;
  }): Promise<{ groups: string[]; accessToken?: string; refreshToken?: string } | 'revoked' | undefined> {
    const config = await this.configuration().catch(() => undefined);
    if (!config) return undefined;
    try {
      if (state.refreshToken) {
        const t = await oidc.refreshTokenGrant(config, state.refreshToken);
        const idClaims = (t.claims() ?? {}) as Claims;
        const claims = await this.withUserinfo(config, t.access_token, state.subject, idClaims);
        return {
          groups: groupsFromClaim(claims[this.cfg.groupsClaim]),
          accessToken: t.access_token,
          refreshToken: t.refresh_token ?? state.refreshToken,
        };
      }
      if (state.accessToken) {
        const info = (await oidc.fetchUserInfo(config, state.accessToken, state.subject)) as Claims;
        return { groups: groupsFromClaim(info[this.cfg.groupsClaim]) };
      }
    } catch (err) {
      // invalid_grant / 401: the provider no longer honours this sign-in.
      const code = providerErrorCode(err);
      const status = (err as { status?: number }).status;
      if (code === 'invalid_grant' || code === 'invalid_token' || status === 401) return 'revoked';
      return undefined;
    }
    return undefined;
  }

  private async withUserinfo(
    config: oidc.Configuration,
    accessToken: string,
    subject: string,
    idClaims: Claims,
  ): Promise<Claims> {
    const needed = [this.cfg.usernameClaim, this.cfg.groupsClaim].some((c) => !(c in idClaims));
    if (!needed || !config.serverMetadata().userinfo_endpoint) return idClaims;
    try {
      const info = (await oidc.fetchUserInfo(config, accessToken, subject)) as Claims;
      return { ...info, ...idClaims };
    } catch (err) {
      throw new HubError(
        502,
        'oidc-userinfo-failed',
        `Asking ${this.label} who you are failed: ${shortCause(err)}.`,
        { evidence: [`GET ${config.serverMetadata().userinfo_endpoint}: ${describeError(err)}`] },
      );
    }
  }

  private mapClaims(claims: Claims): { login: string; name: string; groups: string[] } {
    const raw = claims[this.cfg.usernameClaim];
    if (raw === undefined) {
      const present = Object.keys(claims).sort().join(', ');
      throw new HubError(
        403,
        'oidc-claim-missing',
        `${this.label} did not send the "${this.cfg.usernameClaim}" claim, which this hub uses as the user name.`,
        {
          evidence: [`claims received: ${present}`],
          fix: `Set auth.oidc "${this.cfg.id}" usernameClaim to one of the claims received, or ask the provider's admin to release "${this.cfg.usernameClaim}" (often by adding the "profile" or "email" scope).`,
        },
      );
    }
    const mapped = usernameFromClaim(raw, { stripEmailDomain: this.cfg.stripEmailDomain });
    if ('problem' in mapped) {
      throw new HubError(
        403,
        'oidc-bad-username',
        `${this.label} sent ${JSON.stringify(raw)} as "${this.cfg.usernameClaim}", which this hub cannot use as a user name: ${mapped.problem}.`,
        {
          fix: `Ask the hub's admin to choose another usernameClaim for ${this.label}, or change the name at the provider.`,
        },
      );
    }
    return { login: String(raw), name: mapped.name, groups: groupsFromClaim(claims[this.cfg.groupsClaim]) };
  }

  private exchangeError(err: unknown): HubError {
    const code = providerErrorCode(err);
    const tokenUrl = this.config?.serverMetadata().token_endpoint ?? 'the token endpoint';
    if (code) {
      const description = providerErrorDescription(err);
      const fixes: Record<string, string> = {
        invalid_client: `Check the client id and secret of "${this.cfg.id}" (Settings → Sign-in, or auth.oidc): they must match the client registered at ${this.label}.`,
        unauthorized_client: `Allow the authorization code flow for client ${this.cfg.clientId} at ${this.label}.`,
        invalid_grant: 'Try signing in again; the code was used up or expired, or the redirect URI differs.',
      };
      return new HubError(
        code === 'invalid_client' ? 502 : 400,
        'oidc-provider-error',
        `${this.label} refused the sign-in code (${code}${description ? `: ${description}` : ''}).`,
        {
          evidence: [`POST ${tokenUrl} answered error=${code}`],
          fix:
            fixes[code] ??
            'Try signing in again; if it keeps failing, check the client settings at the provider.',
        },
      );
    }
    if (isNetworkError(err)) {
      return new HubError(
        502,
        'oidc-exchange-failed',
        `The token exchange with ${this.label} failed: ${shortCause(err)}.`,
        {
          evidence: [`POST ${tokenUrl}: ${describeError(err)}`],
          fix: `Try again; if it keeps failing, check that this machine can reach ${this.label}.`,
        },
      );
    }
    return new HubError(
      400,
      'oidc-bad-response',
      `${this.label} sign-in failed: the provider's answer did not pass the checks (${(err as Error).message}).`,
      { evidence: [describeError(err)], fix: 'Start again from the sign-in page.' },
    );
  }
}

function discoveryDocument(url: string): string {
  return url.includes('/.well-known/') ? url : `${url.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** The innermost message of an error chain: "connect ECONNREFUSED 127.0.0.1:9", "unexpected HTTP status". */
function shortCause(err: unknown): string {
  let node: unknown = err;
  let last = String(err);
  for (let depth = 0; depth < 6 && node instanceof Error; depth++) {
    const code = (node as NodeJS.ErrnoException).code;
    last = `${node.message}${code && !node.message.includes(code) ? ` (${code})` : ''}`;
    node = node.cause;
  }
  return last;
}
