import { spawnSync } from 'node:child_process';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../hub-core/src/spawner/names.js';
import { launchBrowser } from './fixtures/browser.js';
import { requireDockerAndImage } from './fixtures/docker.js';
import { type GithubHub, startGithubHub } from './fixtures/github-hub.js';
import type { GithubProvider } from './fixtures/github-provider.js';
import { Browserless } from './fixtures/http-client.js';
import { HubPages, JupyterApi } from './fixtures/pages.js';
import { uniqueLogin } from './fixtures/test-hub.js';
import {
  HomeScreen,
  LogsScreen,
  ServersScreen,
  SettingsScreen,
  TokensScreen,
  UiScreen,
  UsersScreen,
} from './fixtures/ui-pages.js';

// Issue 5's screens against a real hub, real Docker and Debian's Chromium, as the admin and a teammate see them.
const boss = uniqueLogin('boss');
const ann = uniqueLogin('ann');
const outsider = uniqueLogin('out');

let gh: GithubHub;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let adminCtx: BrowserContext;
let annCtx: BrowserContext;

async function signedIn(login: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gh.th.base });
  const page = await ctx.newPage();
  const hub = new HubPages(page, gh.th.base);
  await hub.open();
  await hub.signInWithGithub(login);
  return ctx;
}

/** Sign-in status for `login` without a browser: 302 admitted, 403 refused. */
async function signInStatus(provider: GithubProvider, login: string): Promise<number> {
  const client = new Browserless(gh.th.base);
  const start = await client.request('/hub/oauth_login');
  return (await client.request(provider.approve(start.headers.get('location') ?? '', login))).status;
}

beforeAll(async () => {
  await requireDockerAndImage();
  ({ browser, close: closeBrowser } = await launchBrowser());
  gh = await startGithubHub([ann], { auth: { adminUsers: [boss] } });
  adminCtx = await signedIn(boss);
  annCtx = await signedIn(ann);
});

afterAll(async () => {
  await closeBrowser?.();
  await gh?.stop();
});

describe('the TeamHub UI in Chromium', () => {
  it('admin adds users and finds one by a search the hub runs over all of them', async () => {
    const users = new UsersScreen(adminCtx.pages()[0]!, gh.th.base);
    await users.open();
    // More users than one page holds, so finding the last one proves the search is not page-local.
    const crowd = Array.from({ length: 60 }, (_, i) => `crowd-${String(i).padStart(2, '0')}-${ann}`);
    await users.add(crowd);
    const target = `zz-last-${ann}`;
    await users.add([target]);
    await users.page.waitForSelector('text=1 added.');
    await users.search('zz-last');
    expect(await users.rows(1)).toEqual([target]);
    await users.search('crowd-');
    await users.rows(50);
    expect(await users.page.textContent('#users-count')).toContain('60');
  });

  it('a teammate starts a server: the progress bar reaches ready and the notebook opens', async () => {
    const page = annCtx.pages()[0]!;
    const home = new HomeScreen(page, gh.th.base);
    await home.recordProgress();
    await home.open();
    expect(await home.status()).toBe('stopped');
    await home.start();
    await page.waitForURL(new RegExp(`/user/${ann}/tree`), { timeout: 120_000 });
    const seen = await home.progressSeen();
    expect(seen.at(-1)).toBe(100);
    expect(seen.length).toBeGreaterThan(1);
    await home.open();
    expect(await home.status()).toBe('running');
  });

  it('admin sees the container with its image and follows its logs live', async () => {
    const page = adminCtx.pages()[0]!;
    const servers = new ServersScreen(page, gh.th.base);
    await servers.open();
    const row = servers.row(ann);
    await row.waitFor();
    await expect.poll(async () => row.textContent(), { timeout: 20_000 }).toContain('teamhub/singleuser');
    await servers.screenshot('servers');

    const logs = new LogsScreen(page, gh.th.base);
    await logs.open(ann);
    await logs.waitForText('Jupyter');
    expect(await logs.text()).not.toContain('Kernel started');
    // A kernel started now must show up in the already-open viewer.
    const annPage = annCtx.pages()[0]!;
    await annPage.goto(`${gh.th.base}/user/${ann}/tree`);
    expect(await new JupyterApi(annPage, `/user/${ann}/`).execute('6*7')).toBe('42');
    await logs.waitForText('Kernel started');
    await logs.search('kernel started');
    await expect.poll(() => page.locator('#log-lines mark').count()).toBeGreaterThan(0);
    await logs.screenshot('logs');

    // 100,000 more lines from the container: the viewer keeps all of them but renders only what is in view.
    await logs.search('');
    const name = containerName(gh.th.prefix, ann);
    const exec = spawnSync('docker', ['exec', name, 'sh', '-c', 'seq 1 100000 > /proc/1/fd/1']);
    expect(exec.status).toBe(0);
    await expect.poll(() => logs.lineCount(), { timeout: 60_000 }).toBeGreaterThan(100_000);
    expect(await page.locator('#log-lines .log-row').count()).toBeLessThan(200);
    await logs.waitForText('100000');
  });

  it('a token is shown once, the copy button copies exactly it, it works, and revoking stops it', async () => {
    const page = annCtx.pages()[0]!;
    const tokens = new TokensScreen(page, gh.th.base);
    await tokens.open();
    const token = await tokens.create('ui-e2e');
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    await tokens.copyToken();
    expect(await tokens.clipboard()).toBe(token);
    expect(await page.textContent('#curl-example')).toContain(`Authorization: token ${token}`);
    await tokens.screenshot('tokens');

    const call = () => fetch(`${gh.th.base}/hub/api/user`, { headers: { authorization: `token ${token}` } });
    const ok = await call();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: ann });
    await tokens.revoke('ui-e2e');
    expect((await call()).status).toBe(403);
  });

  it('switching to 简体中文 changes the visible strings, and the choice stays', async () => {
    const screen = new UiScreen(annCtx.pages()[0]!, gh.th.base);
    await screen.goto('/hub/home');
    expect(await screen.navLabels()).toEqual(['Home', 'Tokens']);
    await screen.chooseLanguage('简体中文');
    expect(await screen.navLabels()).toEqual(['首页', '令牌']);
    expect(await screen.heading()).toBe('首页');
    await screen.screenshot('home-zh');
    await screen.goto('/hub/home');
    expect(await screen.page.getAttribute('html', 'lang')).toBe('zh-CN');
    await screen.chooseLanguage('English');
    expect(await screen.heading()).toBe('Home');
  });

  it('settings: allow-all takes effect without a restart, and a bad value gets a field message', async () => {
    const settings = new SettingsScreen(adminCtx.pages()[0]!, gh.th.base);
    await settings.open();
    expect(await signInStatus(gh.provider, outsider)).toBe(403);
    await settings.setAllowAll(true);
    await settings.save();
    await settings.page.waitForSelector('text=no restart needed');
    expect(await signInStatus(gh.provider, outsider)).toBe(302);

    // What to register at GitHub, shown with a copy button.
    expect(await settings.page.locator('[data-provider="github"] .callback-url').allTextContents()).toEqual([
      `http://localhost:${gh.th.port}/hub/oauth_callback`,
    ]);
    await settings.page.click('#check-login');
    const checks = settings.page.locator('#login-checks li');
    await expect.poll(() => checks.count()).toBe(2);
    expect(await checks.allTextContents()).toEqual([
      expect.stringMatching(/^OK GitHub answers at http:\/\/127\.0\.0\.1:\d+/),
      expect.stringMatching(
        /^OK The callback URL http:\/\/localhost:\d+\/hub\/oauth_callback reaches this hub/,
      ),
    ]);

    await settings.page.fill('#mem-limit', 'lots');
    await settings.save();
    expect(await settings.fieldError('mem-limit')).toContain('expected a size');
    await settings.screenshot('settings');
  });

  it('every screen passes axe-core (WCAG A/AA) and fits a phone-width screen', async () => {
    const page = adminCtx.pages()[0]!;
    const screen = new UiScreen(page, gh.th.base);
    const paths = [
      '/hub/home',
      '/hub/admin/users',
      '/hub/admin/servers',
      `/hub/logs/${ann}`,
      '/hub/token',
      '/hub/settings',
    ];
    for (const path of paths) {
      await screen.goto(path);
      await page.waitForLoadState('networkidle').catch(() => undefined);
      expect({ path, violations: await screen.accessibilityViolations() }).toEqual({ path, violations: [] });
      await screen.screenshot(`screen${path.replace(/\//g, '-')}`);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/hub/home', '/hub/admin/users', '/hub/token']) {
      await screen.goto(path);
      await page.waitForLoadState('networkidle').catch(() => undefined);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
      await screen.screenshot(`phone${path.replace(/\//g, '-')}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe('a start that fails, in the UI', () => {
  it('shows the plain sentence, the container log lines and Retry', async () => {
    const fay = uniqueLogin('fay');
    const failing = await startGithubHub([fay], {
      docker: { env: { JUPYTERHUB_ROOT_DIR: '/home/jovyan/projects' }, startTimeoutSeconds: 90 },
    });
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      const hub = new HubPages(page, failing.th.base);
      await hub.open();
      await hub.signInWithGithub(fay);
      const home = new HomeScreen(page, failing.th.base);
      await home.start();
      const failure = await home.failure();
      expect(failure.title).toBe('Your server failed to start');
      expect(failure.message).toContain('exited with code 1');
      expect(failure.evidence).toContain('/home/jovyan/projects');
      expect(await page.isVisible('#retry-server')).toBe(true);
      await home.screenshot('spawn-failed');
    } finally {
      await ctx.close();
      await failing.stop();
    }
  });
});
