import type { GithubConfig } from '../config/schema.js';
import { HubError, describeError } from '../errors.js';

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  /** Seconds to wait between polls (GitHub raises it with slow_down). */
  interval: number;
  expiresAt: number;
}

export type DevicePoll =
  | { status: 'pending'; interval: number }
  | { status: 'done'; accessToken: string; grantedScopes: string[] }
  | { status: 'failed'; error: HubError };

const trimSlash = (u: string) => u.replace(/\/+$/, '');

async function post(
  cfg: GithubConfig,
  path: string,
  form: Record<string, string>,
): Promise<Record<string, unknown>> {
  const url = `${trimSlash(cfg.url)}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'TeamHub',
      },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(cfg.timeoutSeconds * 1000),
    });
  } catch (err) {
    throw new HubError(
      502,
      'device-flow-unreachable',
      `GitHub could not be reached: ${describeError(err)}.`,
      {
        evidence: [`POST ${url}: ${describeError(err)}`],
        fix: 'Try again; if it keeps failing, check that this machine can reach GitHub.',
      },
    );
  }
  const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!body) {
    throw new HubError(
      502,
      'device-flow-bad-answer',
      `GitHub answered ${url} with HTTP ${res.status} and no JSON.`,
      {
        evidence: [`POST ${url} → ${res.status}`],
        fix: 'Check the GitHub address (Settings → Sign-in, or auth.github.url): it must be the GitHub web address (GitHub Enterprise: https://github.example.com).',
      },
    );
  }
  return body;
}

const FIXES: Record<string, string> = {
  device_flow_disabled:
    'Enable "Device Flow" in the GitHub OAuth app settings (GitHub → Settings → Developer settings → OAuth Apps → the app).',
  incorrect_client_credentials:
    'Check the Client ID (Settings → Sign-in, or auth.github.clientId): it must be the Client ID of the GitHub OAuth app.',
  unauthorized_client: 'Enable "Device Flow" in the GitHub OAuth app settings.',
};

/** Step 1 of GitHub's device flow: a code the person types at GitHub's verification page. */
export async function requestDeviceCode(cfg: GithubConfig, scopes: string[]): Promise<DeviceCode> {
  const body = await post(cfg, '/login/device/code', {
    client_id: cfg.clientId,
    ...(scopes.length ? { scope: scopes.join(' ') } : {}),
  });
  if (typeof body.error === 'string') {
    throw new HubError(
      400,
      'device-flow-refused',
      `GitHub refused to start sign-in with a code (${body.error}).`,
      {
        evidence: [`POST ${trimSlash(cfg.url)}/login/device/code answered error=${body.error}`],
        fix: FIXES[body.error] ?? 'Use "Sign in with GitHub" instead, or check the OAuth app settings.',
      },
    );
  }
  const { device_code, user_code, verification_uri, interval, expires_in } = body;
  if (
    typeof device_code !== 'string' ||
    typeof user_code !== 'string' ||
    typeof verification_uri !== 'string'
  ) {
    throw new HubError(502, 'device-flow-bad-answer', 'GitHub did not send a device code.', {
      evidence: [`POST ${trimSlash(cfg.url)}/login/device/code: fields ${Object.keys(body).join(', ')}`],
    });
  }
  return {
    deviceCode: device_code,
    userCode: user_code,
    verificationUri: verification_uri,
    interval: typeof interval === 'number' && interval > 0 ? interval : 5,
    expiresAt: Date.now() + (typeof expires_in === 'number' ? expires_in : 900) * 1000,
  };
}

/** Step 2: asks once whether the person has entered the code; GitHub's answers mapped to a state. */
export async function pollDeviceToken(cfg: GithubConfig, code: DeviceCode): Promise<DevicePoll> {
  if (Date.now() > code.expiresAt) return { status: 'failed', error: expired() };
  let body: Record<string, unknown>;
  try {
    body = await post(cfg, '/login/oauth/access_token', {
      client_id: cfg.clientId,
      device_code: code.deviceCode,
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    });
  } catch (err) {
    // A network hiccup is not the end of the sign-in: ask again at the next interval.
    if (err instanceof HubError && err.reason === 'device-flow-unreachable')
      return { status: 'pending', interval: code.interval };
    throw err;
  }
  if (typeof body.access_token === 'string') {
    const scope = typeof body.scope === 'string' ? body.scope : '';
    return {
      status: 'done',
      accessToken: body.access_token,
      grantedScopes: scope.split(/[\s,]+/).filter(Boolean),
    };
  }
  const error = typeof body.error === 'string' ? body.error : 'no access_token';
  if (error === 'authorization_pending') return { status: 'pending', interval: code.interval };
  if (error === 'slow_down') {
    const next = typeof body.interval === 'number' ? body.interval : code.interval + 5;
    return { status: 'pending', interval: next };
  }
  if (error === 'expired_token') return { status: 'failed', error: expired() };
  if (error === 'access_denied') {
    return {
      status: 'failed',
      error: new HubError(403, 'device-flow-denied', 'The sign-in was cancelled at GitHub.', {
        fix: 'Start again and choose "Authorize" at GitHub.',
      }),
    };
  }
  return {
    status: 'failed',
    error: new HubError(400, 'device-flow-refused', `GitHub refused the sign-in with a code (${error}).`, {
      evidence: [`POST ${trimSlash(cfg.url)}/login/oauth/access_token answered error=${error}`],
      fix: FIXES[error] ?? 'Start again from the sign-in page.',
    }),
  };
}

function expired(): HubError {
  return new HubError(400, 'device-flow-expired', 'The code expired before it was entered at GitHub.', {
    fix: 'Start again from the sign-in page to get a new code.',
  });
}
