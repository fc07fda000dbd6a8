import type { GithubConfig, HubConfig } from '../config/schema.js';
import { describeError } from '../errors.js';

export interface LoginCheck {
  name: string;
  ok: boolean;
  message: string;
  fix?: string;
}

const TIMEOUT_MS = 5000;

/** Where GitHub sends people back: the configured URL, else this hub on localhost. */
export const githubCallbackUrl = (c: HubConfig) =>
  c.auth.github?.callbackUrl ?? `http://localhost:${c.port}/hub/oauth_callback`;

async function answer(url: string): Promise<{ status: number; headers: Headers } | { error: string }> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    return { status: res.status, headers: res.headers };
  } catch (err) {
    return { error: describeError((err as { cause?: unknown }).cause ?? err) };
  }
}

const GITHUB_CONSOLE = 'the OAuth app page at GitHub (Settings → Developer settings → OAuth Apps)';

/** What GitHub says of a made-up sign-in code: "bad code" means it accepted the client id and secret. */
async function credentialsRefused(gh: GithubConfig, redirectUri: string): Promise<string | undefined> {
  const res = await fetch(new URL('/login/oauth/access_token', gh.url), {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: gh.clientId,
      client_secret: gh.clientSecret,
      code: 'teamhub-sign-in-check',
      redirect_uri: redirectUri,
    }).toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  return body.error === 'incorrect_client_credentials' ? body.error : undefined;
}

/**
 * GitHub answers at its address, knows the Client ID (its sign-in page is a 404 otherwise), accepts
 * the secret (tried with a made-up code), and has its API where the settings say.
 */
async function providerCheck(gh: GithubConfig, authorize: URL): Promise<LoginCheck> {
  const fail = (message: string, fix?: string): LoginCheck => ({
    name: 'provider',
    ok: false,
    message,
    ...(fix ? { fix } : {}),
  });
  const page = await answer(authorize.toString());
  if ('error' in page)
    return fail(
      `GitHub does not answer at ${gh.url}: ${page.error}.`,
      'Check the GitHub address (Settings → Sign-in, or auth.github.url; for GitHub Enterprise, your server) and this computer’s network or proxy.',
    );
  if (page.status >= 500) return fail(`GitHub at ${gh.url} answered HTTP ${page.status}.`);
  if (page.status === 404)
    return fail(
      `GitHub at ${gh.url} does not know the Client ID ${gh.clientId} (its sign-in page answers HTTP 404).`,
      `Copy the Client ID from ${GITHUB_CONSOLE} into Settings → Sign-in.`,
    );
  try {
    if (await credentialsRefused(gh, authorize.searchParams.get('redirect_uri') ?? ''))
      return fail(
        `GitHub refused the client secret for the Client ID ${gh.clientId} (incorrect_client_credentials).`,
        `Generate a new client secret on ${GITHUB_CONSOLE} and enter it in Settings → Sign-in.`,
      );
  } catch (err) {
    return fail(`GitHub's token address at ${gh.url} does not answer: ${describeError(err)}.`);
  }
  const api = await answer(`${gh.apiUrl.replace(/\/+$/, '')}/user`);
  // Without a token, GitHub's API answers 401 with JSON: anything else is not that API.
  const isApi = !('error' in api) && api.status === 401;
  if (!isApi)
    return fail(
      `There is no GitHub API at ${gh.apiUrl} (${'error' in api ? api.error : `HTTP ${api.status} for /user`}).`,
      'Check the GitHub API address (Settings → Sign-in): https://api.github.com for github.com, https://<your server>/api/v3 for GitHub Enterprise.',
    );
  return {
    name: 'provider',
    ok: true,
    message: `GitHub answers at ${gh.url} (HTTP ${page.status}), accepts the Client ID and secret, and its API answers at ${gh.apiUrl}.`,
  };
}

/**
 * What the settings screen's "check" button verifies for GitHub sign-in: the provider (address,
 * Client ID, secret, API), and that each callback URL people will be sent back to reaches this hub.
 */
export async function checkGithubLogin(config: HubConfig, callbacks: string[]): Promise<LoginCheck[]> {
  const gh = config.auth.github;
  if (!gh) return [];
  const checks: LoginCheck[] = [];
  const authorize = new URL('/login/oauth/authorize', gh.url);
  authorize.search = new URLSearchParams({
    client_id: gh.clientId,
    redirect_uri: callbacks[0] ?? githubCallbackUrl(config),
  }).toString();
  checks.push(await providerCheck(gh, authorize));
  // Each callback URL people are sent back to (this computer's and the teammates') must reach this hub.
  for (const callbackUrl of callbacks) {
    const back = await answer(callbackUrl);
    const reachesHub = !('error' in back) && back.headers.get('x-jupyterhub-version') !== null;
    checks.push(
      reachesHub
        ? {
            name: `callback ${callbackUrl}`,
            ok: true,
            message: `The callback URL ${callbackUrl} reaches this hub.`,
          }
        : {
            name: `callback ${callbackUrl}`,
            ok: false,
            message: `The callback URL ${callbackUrl} does not reach this hub${'error' in back ? ` (${back.error})` : ''}.`,
            fix: 'Set auth.github.callbackUrl to this hub’s address followed by /hub/oauth_callback (or leave it unset), and register the same URL in the GitHub OAuth app.',
          },
    );
  }
  return checks;
}
