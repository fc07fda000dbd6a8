import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './fixtures/browser.js';
import { GithubProvider } from './fixtures/github-provider.js';
import { OidcTestProvider } from './fixtures/oidc-provider.js';
import { type TestHub, freePort, startTestHub } from './fixtures/test-hub.js';

// A teammate on another machine reaches the hub at its LAN address, where "localhost" would mean
// their own computer. Here the hub listens on a second loopback address, 127.0.0.2, standing in for
// the LAN address; a browser using it signs in with GitHub and with OpenID Connect, and each provider
// sends it back to a callback on 127.0.0.2 (the only one registered), with no callback configured.
let browser: Browser;
let closeBrowser: () => Promise<void>;
let github: GithubProvider;
let oidc: OidcTestProvider;
let th: TestHub;
let lan: string;

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchBrowser());
  const port = await freePort();
  lan = `http://127.0.0.2:${port}`;
  const gh = { clientId: 'Ov23liTeammate', clientSecret: 'teammate-secret' };
  github = await new GithubProvider({ ...gh, callbackUrl: `${lan}/hub/oauth_callback` }).start();
  github.deviceInterval = 1;
  oidc = await new OidcTestProvider({
    clientId: 'teamhub-lan',
    clientSecret: 'lan-oidc-secret',
    redirectUris: [`${lan}/hub/oidc/lan/callback`],
  }).start();
  th = await startTestHub({
    ip: '127.0.0.2',
    port,
    auth: {
      allowedUsers: ['kim', 'lee'],
      github: { ...gh, url: github.url, apiUrl: github.apiUrl, deviceFlow: true },
      oidc: [
        {
          id: 'lan',
          displayName: 'Office SSO',
          issuer: oidc.issuer,
          clientId: 'teamhub-lan',
          clientSecret: 'lan-oidc-secret',
        },
      ],
    },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
});

afterAll(async () => {
  await closeBrowser?.();
  await th?.stop();
  await github?.stop();
  await oidc?.stop();
});

describe('a teammate at the hub’s second address', () => {
  it('signs in with GitHub; the callback is on the address the browser used', async () => {
    const page = await browser.newPage();
    await page.goto(`${lan}/hub/login`);
    await page.click('#login-github');
    await page.waitForURL((u) => u.href.startsWith(github.url));
    expect(new URL(page.url()).searchParams.get('redirect_uri')).toBe(`${lan}/hub/oauth_callback`);
    await page.fill('#login', 'kim');
    await page.click('#authorize');
    await page.waitForURL(`${lan}/hub/home`);
    expect(await page.textContent('#who-name')).toBe('kim');
    await page.close();
  });

  it('signs in with OpenID Connect the same way', async () => {
    const page = await browser.newPage();
    await page.goto(`${lan}/hub/login`);
    await page.click('#login-oidc-lan');
    await page.waitForURL((u) => u.href.startsWith(oidc.issuer));
    await page.fill('input[name="login"]', 'lee');
    await page.fill('input[name="password"]', 'whatever');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${lan}/hub/home`);
    expect(await page.textContent('#who-name')).toBe('lee');
    await page.close();
  });

  it('signs in with a GitHub code (device flow): the page waits and moves on by itself', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${lan}/hub/login`);
    expect(await page.textContent('#login-github-device')).toBe('Sign in with GitHub using a code');
    await page.click('#login-github-device');
    const code = (await page.textContent('#device-code')) ?? '';
    const verify = (await page.getAttribute('#device-verify', 'href')) ?? '';
    // The teammate enters the code at GitHub, here in another tab.
    const gh = await context.newPage();
    await gh.goto(verify);
    await gh.fill('#user-code', code);
    await gh.fill('#login', 'kim');
    await gh.click('#device-authorize');
    await gh.waitForSelector('#device-done');
    await page.waitForURL(`${lan}/hub/home`, { timeout: 20_000 });
    expect(await page.textContent('#who-name')).toBe('kim');
    await context.close();
  });
});
