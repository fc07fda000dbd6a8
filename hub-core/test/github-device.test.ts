import { afterEach, describe, expect, it } from 'vitest';
import { GithubProvider } from '../../e2e/fixtures/github-provider.js';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { type TestHub, startTestHub } from '../../e2e/fixtures/test-hub.js';

// GitHub's device flow against the GitHub-shaped provider (which answers slow_down to polls faster
// than its interval, as GitHub does): no callback URL, so it works from any address.
const CLIENT = { clientId: 'Ov23liDevice', clientSecret: 'device-secret' };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function setup(
  github: Record<string, unknown> = {},
  tune: (p: GithubProvider) => void = () => undefined,
) {
  const provider = await new GithubProvider({
    ...CLIENT,
    callbackUrl: 'not used by the device flow',
    orgs: { 'acme-lab': { privateMembers: ['mia'] } },
  }).start();
  provider.deviceInterval = 1;
  tune(provider);
  const th: TestHub = await startTestHub({
    auth: {
      allowedUsers: ['alice'],
      github: { ...CLIENT, url: provider.url, apiUrl: provider.apiUrl, deviceFlow: true, ...github },
    },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
  cleanup.push(async () => {
    await th.stop();
    await provider.stop();
  });
  return { th, provider };
}

/** Starts a device sign-in; returns the browser and the code shown on the page. */
async function start(th: TestHub): Promise<{ client: Browserless; code: string; page: string }> {
  const client = new Browserless(th.base);
  const res = await client.request('/hub/device_login?next=%2Fhub%2Fhome');
  const page = await res.text();
  const code = /id="device-code"[^>]*>([^<]+)</.exec(page)?.[1] ?? '';
  return { client, code, page };
}

/** Polls the hub as the page's script does, until it says ready or failed. */
async function waitForState(
  client: Browserless,
  timeoutMs = 15_000,
): Promise<{ state: string; message?: string }> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const s = (await (await client.request('/hub/device_login/check')).json()) as {
      state: string;
      interval?: number;
    };
    if (s.state !== 'pending') return s;
    expect(s.interval).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('device sign-in did not finish');
}

describe('GitHub device flow', () => {
  it('shows a code; once it is entered at GitHub the page signs the user in, polling no faster than allowed', async () => {
    const { th, provider } = await setup();
    const { client, code, page } = await start(th);
    expect(code).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(page).toContain(`${provider.url}/login/device`);
    expect((await waitForStateWithin(client, 1500)).state).toBe('pending');
    expect(provider.approveDevice(code, 'alice')).toBe(true);
    expect((await waitForState(client)).state).toBe('ready');
    const done = await client.request('/hub/device_login/finish');
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/hub/home');
    expect(await (await client.request('/hub/ui/api/me')).json()).toMatchObject({ user: { name: 'alice' } });
    const polls = provider.requests.filter((r) => r.body.includes('device_code='));
    expect(polls.length).toBeGreaterThanOrEqual(2);
  });

  /** Polls for a while and returns the last state (to see that nothing happens before approval). */
  async function waitForStateWithin(client: Browserless, ms: number) {
    let last = { state: 'pending' };
    const until = Date.now() + ms;
    while (Date.now() < until) {
      last = (await (await client.request('/hub/device_login/check')).json()) as { state: string };
      await new Promise((r) => setTimeout(r, 300));
    }
    return last;
  }

  it('asks for read:org when an organization rule exists, and admits a private member', async () => {
    const { th, provider } = await setup({ allowedOrganizations: ['acme-lab'] });
    const { client, code } = await start(th);
    const asked = provider.requests.find((r) => r.path === '/login/device/code');
    expect(new URLSearchParams(asked?.body).get('scope')).toBe('read:org');
    provider.approveDevice(code, 'mia');
    await waitForState(client);
    expect((await client.request('/hub/device_login/finish')).status).toBe(302);
  });

  it('someone no rule admits gets the 403 page naming them', async () => {
    const { th, provider } = await setup();
    const { client, code } = await start(th);
    provider.approveDevice(code, 'zed');
    await waitForState(client);
    const res = await client.request('/hub/device_login/finish');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('You signed in at GitHub as &quot;zed&quot;');
  });

  it('cancelled at GitHub, expired, or Device Flow off in the OAuth app → clear pages, no 500', async () => {
    const { th, provider } = await setup();
    const cancelled = await start(th);
    provider.approveDevice(cancelled.code, 'alice', true);
    expect(await waitForState(cancelled.client)).toMatchObject({
      state: 'failed',
      message: 'The sign-in was cancelled at GitHub.',
    });
    const page = await cancelled.client.request('/hub/device_login/finish');
    expect(page.status).toBe(403);

    provider.deviceExpiresIn = 1;
    const late = await start(th);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await waitForState(late.client)).toMatchObject({ state: 'failed' });
    const expired = await late.client.request('/hub/device_login/finish');
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('The code expired before it was entered at GitHub.');

    provider.deviceFlowEnabled = false;
    const off = await new Browserless(th.base).request('/hub/device_login');
    expect(off.status).toBe(400);
    const text = await off.text();
    expect(text).toContain('device_flow_disabled');
    expect(text).toContain('Enable &quot;Device Flow&quot; in the GitHub OAuth app settings');
  });

  it('is off unless configured', async () => {
    const { th } = await setup({ deviceFlow: false });
    expect((await fetch(`${th.base}/hub/device_login`)).status).toBe(404);
    expect(await (await fetch(`${th.base}/hub/login`)).text()).not.toContain('login-github-device');
  });
});
