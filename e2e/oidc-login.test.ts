import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './fixtures/browser.js';
import { GithubProvider } from './fixtures/github-provider.js';
import { OidcTestProvider } from './fixtures/oidc-provider.js';
import { type TestHub, freePort, startTestHub } from './fixtures/test-hub.js';

// Several providers on one sign-in page, and OpenID Connect sign-in as a person does it in Chromium
// against a real oidc-provider on loopback (no Docker needed).
let browser: Browser;
let closeBrowser: () => Promise<void>;
let oidc: OidcTestProvider;
let github: GithubProvider;
let th: TestHub;

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchBrowser());
  const port = await freePort();
  oidc = await new OidcTestProvider({
    clientId: 'teamhub-e2e',
    clientSecret: 'e2e-oidc-secret',
    redirectUris: [`http://localhost:${port}/hub/oidc/keycloak/callback`],
    accounts: { erin: { groups: ['data-team'] }, mallory: { groups: ['visitors'] } },
  }).start();
  const gh = { clientId: 'Ov23liOidcE2e', clientSecret: 'gh-e2e-secret' };
  github = await new GithubProvider({
    ...gh,
    callbackUrl: `http://localhost:${port}/hub/oauth_callback`,
  }).start();
  th = await startTestHub({
    port,
    auth: {
      adminUsers: ['owner'],
      github: { ...gh, url: github.url, apiUrl: github.apiUrl },
      oidc: [
        {
          id: 'keycloak',
          displayName: 'Team Keycloak',
          issuer: oidc.issuer,
          clientId: 'teamhub-e2e',
          clientSecret: 'e2e-oidc-secret',
          scopes: ['openid', 'profile', 'groups'],
          allowedGroups: ['data-team'],
        },
      ],
      local: { enabled: true, signup: 'approval' },
    },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
});

afterAll(async () => {
  await closeBrowser?.();
  await th?.stop();
  await oidc?.stop();
  await github?.stop();
});

describe('sign-in page with several providers, OpenID Connect in Chromium', () => {
  it('shows one button per provider and the password form', async () => {
    const page = await browser.newPage();
    await page.goto(`${th.base}/hub/login`);
    expect(await page.textContent('#login-github')).toBe('Sign in with GitHub');
    expect(await page.textContent('#login-oidc-keycloak')).toBe('Sign in with Team Keycloak');
    expect(await page.isVisible('#login-local')).toBe(true);
    expect(await page.isVisible('#signup-link')).toBe(true);
    await page.close();
  });

  it('a group member signs in at the provider and lands on home; sign-out ends the session', async () => {
    const page = await browser.newPage();
    await page.goto(`${th.base}/hub/home`);
    await page.click('#login-oidc-keycloak');
    await page.waitForURL((u) => u.href.startsWith(oidc.issuer));
    await page.fill('input[name="login"]', 'erin');
    await page.fill('input[name="password"]', 'whatever');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${th.base}/hub/home`);
    expect(await page.textContent('#who-name')).toBe('erin');
    await page.click('text=Sign out');
    expect(await page.textContent('#login-message')).toBe('You are signed out.');
    await page.goto(`${th.base}/hub/home`);
    expect(new URL(page.url()).pathname).toBe('/hub/login');
    await page.close();
  });

  it('someone outside the allowed groups sees who they are, which rule refused them and whom to ask', async () => {
    const page = await browser.newPage();
    await page.goto(`${th.base}/hub/login`);
    await page.click('#login-oidc-keycloak');
    await page.fill('input[name="login"]', 'mallory');
    await page.fill('input[name="password"]', 'whatever');
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => u.pathname === '/hub/oidc/keycloak/callback');
    const text = await page.textContent('main');
    expect(text).toContain('You signed in at Team Keycloak as "mallory"');
    expect(text).toContain('your groups: "visitors"');
    expect(text).toContain("Ask the hub's admin (owner)");
    await page.close();
  });
});
