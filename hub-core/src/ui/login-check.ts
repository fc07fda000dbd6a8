import type { HubConfig } from '../config/schema.js';
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

/**
 * What the settings screen's "check" button verifies for GitHub sign-in: the provider answers at its
 * configured address, and the callback URL people will be sent back to reaches this hub.
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
  const provider = await answer(authorize.toString());
  checks.push(
    'error' in provider
      ? {
          name: 'provider',
          ok: false,
          message: `GitHub does not answer at ${gh.url}: ${provider.error}.`,
          fix: 'Check the GitHub address (Settings → Sign-in, or auth.github.url; for GitHub Enterprise, your server) and this computer’s network or proxy.',
        }
      : provider.status >= 500
        ? { name: 'provider', ok: false, message: `GitHub at ${gh.url} answered HTTP ${provider.status}.` }
        : { name: 'provider', ok: true, message: `GitHub answers at ${gh.url} (HTTP ${provider.status}).` },
  );
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
