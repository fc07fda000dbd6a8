import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './fixtures/browser.js';
import { GithubProvider } from './fixtures/github-provider.js';
import { OidcTestProvider } from './fixtures/oidc-provider.js';
import { type TestHub, freePort, startTestHub } from './fixtures/test-hub.js';
import { SettingsScreen } from './fixtures/ui-pages.js';

// Issue 7's "configure each from the settings screen": the owner of a first-run hub (password
// accounts only) sets up GitHub and an OpenID provider in Chromium, with the callback URL and scopes
// the screen shows, and teammates sign in with each at once, no restart and no config file.
let browser: Browser;
let closeBrowser: () => Promise<void>;
let github: GithubProvider;
let sso: OidcTestProvider;
let th: TestHub;
let owner: Page;
let settings: SettingsScreen;
const GH = { clientId: 'Ov23liTypedInTheUi', clientSecret: 'typed-in-the-ui-secret' };

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchBrowser());
  const port = await freePort();
  github = await new GithubProvider({
    ...GH,
    callbackUrl: `http://localhost:${port}/hub/oauth_callback`,
    orgs: { acme: { members: ['gina'] } },
  }).start();
  sso = await new OidcTestProvider({
    clientId: 'teamhub-lab',
    clientSecret: 'lab-sso-secret',
    redirectUris: [`http://localhost:${port}/hub/oidc/lab/callback`],
    accounts: { hana: { groups: ['lab'] } },
  }).start();
  th = await startTestHub({ port, docker: { socketPath: '/nonexistent/docker.sock' } });
  owner = await browser.newPage();
  settings = new SettingsScreen(owner, th.base);
});

afterAll(async () => {
  await closeBrowser?.();
  await th?.stop();
  await github?.stop();
  await sso?.stop();
});

describe('sign-in providers set up from the settings screen (Chromium)', () => {
  it('the owner of a first-run hub signs in with the admin account made on this computer', async () => {
    await owner.goto(`${th.base}/hub/setup`);
    await owner.fill('#username', 'owner');
    await owner.fill('#password', 'owner-pass-1');
    await owner.fill('#password2', 'owner-pass-1');
    await owner.click('#submit');
    await owner.waitForURL(`${th.base}/hub/home`);
  });

  it('GitHub: the form shows the callback to register and the scopes, refuses bad values per field, then works', async () => {
    await settings.open();
    await settings.openGithubForm();
    expect(await settings.formCallbackUrls('github')).toEqual([
      `http://localhost:${th.port}/hub/oauth_callback`,
    ]);
    expect(await owner.textContent('#github-scopes')).toContain('no extra scopes');
    await settings.fillGithub({ clientId: 'not a client id', clientSecret: GH.clientSecret, url: 'github' });
    await settings.saveProvider('github');
    expect(await settings.fieldError('github-client-id')).toContain(
      'Client ID shown on the GitHub OAuth app page',
    );
    expect(await settings.fieldError('github-url')).toContain('http(s) URL');
    await settings.fillGithub({
      clientId: GH.clientId,
      url: github.url,
      apiUrl: github.apiUrl,
      orgs: 'acme',
    });
    expect(await owner.textContent('#github-scopes')).toContain('read:org');
    expect(await settings.accessibilityViolations()).toEqual([]);
    await settings.screenshot('settings-github-form');
    // The secret was typed once; the refused save did not lose it, and the retry uses it.
    await settings.saveProvider('github');
    expect(await owner.isVisible('#github-form')).toBe(false);
    const listed = await settings.providerText('github');
    expect(listed).toContain(`http://localhost:${th.port}/hub/oauth_callback`);
    expect(listed).toContain('read:org');
    expect(await owner.content()).not.toContain(GH.clientSecret);
  });

  it('a teammate in the acme organization signs in with GitHub at once', async () => {
    const page = await browser.newPage();
    await page.goto(`${th.base}/hub/login`);
    await page.click('#login-github');
    await page.fill('#login', 'gina');
    await page.click('#authorize');
    await page.waitForURL(`${th.base}/hub/home`);
    expect(await page.textContent('#who-name')).toBe('gina');
    await page.close();
  });

  it('the "Check sign-in" button proves the saved GitHub settings', async () => {
    await owner.click('#check-login');
    await owner.waitForSelector('#login-checks');
    const checks = (await owner.textContent('#login-checks')) ?? '';
    expect(checks).not.toContain('failed');
  });

  it('OpenID Connect: the callback follows the id as it is typed; the provider works once saved', async () => {
    await settings.openOidcForm();
    await settings.fillOidc({ id: 'lab' });
    expect(await settings.formCallbackUrls('oidc')).toEqual([
      `http://localhost:${th.port}/hub/oidc/lab/callback`,
    ]);
    await settings.fillOidc({
      'display-name': 'Lab SSO',
      issuer: sso.issuer,
      'client-id': 'teamhub-lab',
      'client-secret': 'lab-sso-secret',
      scopes: 'openid profile groups',
      'allowed-groups': 'lab',
    });
    await settings.saveProvider('oidc');
    expect(await owner.isVisible('#oidc-form')).toBe(false);
    const listed = await settings.providerText('oidc-lab');
    expect(listed).toContain('discovery answers');
    expect(listed).toContain(`http://localhost:${th.port}/hub/oidc/lab/callback`);

    const page = await browser.newPage();
    await page.goto(`${th.base}/hub/login`);
    expect(await page.textContent('#login-oidc-lab')).toBe('Sign in with Lab SSO');
    await page.click('#login-oidc-lab');
    await page.waitForURL((u) => u.href.startsWith(sso.issuer));
    await page.fill('input[name="login"]', 'hana');
    await page.fill('input[name="password"]', 'whatever');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${th.base}/hub/home`);
    expect(await page.textContent('#who-name')).toBe('hana');
    await page.close();
  });

  it('after a restart that lost the secret, GitHub shows as off with why; the secret alone turns it on', async () => {
    await th.hub.stop();
    const file = path.join(th.dataDir, 'secrets.json');
    const secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    delete secrets['settings:githubClientSecret'];
    fs.writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
    th = await startTestHub({
      port: th.port,
      dataDir: th.dataDir,
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    await settings.open();
    const off = await settings.providerText('github-off');
    expect(off).toContain('GitHub sign-in saved in Settings is off: its client secret is not in');
    await owner.click('[data-provider="github-off"] button.secondary');
    await settings.fillGithub({ clientSecret: GH.clientSecret });
    await settings.saveProvider('github');
    expect(await settings.providerText('github')).toContain('read:org');
    expect(await owner.locator('[data-provider="github-off"]').count()).toBe(0);
  });

  it('turning GitHub off removes its button at once', async () => {
    owner.once('dialog', (d) => void d.accept());
    await owner.click('[data-provider="github"] button.danger');
    await owner.waitForSelector('#add-github');
    const page = await browser.newPage();
    await page.goto(`${th.base}/hub/login`);
    expect(await page.locator('#login-github').count()).toBe(0);
    expect(await page.locator('#login-oidc-lab').count()).toBe(1);
    await page.close();
    expect(settings.errors).toEqual([]);
  });
});
