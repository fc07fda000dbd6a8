import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './fixtures/browser.js';
import { type TestHub, startTestHub } from './fixtures/test-hub.js';
import { UsersScreen } from './fixtures/ui-pages.js';

// An offline team in Chromium: the owner creates the admin account on the first-run page, invites a
// teammate with a link, approves a sign-up, resets a password after the rate limit kicks in.
let browser: Browser;
let closeBrowser: () => Promise<void>;
let th: TestHub;

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchBrowser());
  th = await startTestHub({
    auth: { local: { enabled: true, signup: 'approval', maxAttempts: 3 } },
    docker: { socketPath: '/nonexistent/docker.sock' },
  });
});

afterAll(async () => {
  await closeBrowser?.();
  await th?.stop();
});

/** A REST call from the signed-in page, as the React UI makes it: session cookie plus the page's XSRF token. */
async function adminCall(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  await page.goto(`${th.base}/hub/home`);
  const xsrf = await page.evaluate(
    async () => ((await (await fetch('/hub/ui/api/me')).json()) as { xsrf: string }).xsrf,
  );
  return page.evaluate(
    async ({ method, path, body, xsrf }) => {
      const res = await fetch(path, {
        method,
        headers: { 'x-xsrftoken': xsrf, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
    },
    { method, path, body, xsrf },
  );
}

async function fillAccountForm(page: Page, username: string, password: string): Promise<void> {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.fill('#password2', password);
  await page.click('#submit');
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${th.base}/hub/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-local');
}

describe('local accounts in Chromium', () => {
  let owner: Page;

  it('first run: the owner creates the admin account from this computer', async () => {
    owner = await browser.newPage();
    await owner.goto(`${th.base}/hub/login`);
    await owner.click('#setup-link');
    await fillAccountForm(owner, 'owner', 'owner-pass-1');
    await owner.waitForURL(`${th.base}/hub/home`);
    expect(await owner.textContent('#who-name')).toBe('owner');
    expect(th.hub.context.store.getUser('owner')?.admin).toBe(true);
  });

  it('an invite link the owner copies lets a teammate create an account and sign in, once', async () => {
    // The owner makes the link on the Users screen and copies it.
    await owner.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: th.base });
    const users = new UsersScreen(owner, th.base);
    await users.open();
    const url = await users.makeInvite();
    expect(url).toMatch(new RegExp(`^${th.base}/hub/invite/`));
    await owner.click('button[aria-label="Copy the invite link"]');
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(url);
    const mate = await (await browser.newContext()).newPage();
    await mate.goto(url);
    expect(await mate.textContent('main')).toContain('owner invited you');
    await fillAccountForm(mate, 'tess', 'tess-pass-1');
    await mate.waitForURL(`${th.base}/hub/home`);
    expect(await mate.textContent('#who-name')).toBe('tess');
    await mate.goto(url);
    expect(await mate.textContent('main')).toContain('already used or has expired');
    await mate.context().close();
  });

  it('repeated wrong passwords get a clear 429; the owner resets the password and the teammate gets in', async () => {
    const mate = await (await browser.newContext()).newPage();
    for (let i = 0; i < 3; i++) {
      await signIn(mate, 'tess', 'wrong-pass');
      expect(await mate.textContent('#local-error')).toBe('Wrong user name or password.');
    }
    await signIn(mate, 'tess', 'tess-pass-1');
    expect(await mate.textContent('#local-error')).toMatch(
      /^Too many failed sign-in attempts for "tess"\. Try again in \d+ minutes, or ask an admin to reset the password\.$/,
    );
    const users = new UsersScreen(owner, th.base);
    await users.open();
    expect(await users.resetPassword('tess', 'tess-pass-2')).toBe(
      'Password of tess reset; their sessions were ended.',
    );
    await signIn(mate, 'tess', 'tess-pass-2');
    await mate.waitForURL(`${th.base}/hub/home`);
    await mate.context().close();
  });

  it('a sign-up waits for the owner’s approval', async () => {
    const newcomer = await (await browser.newContext()).newPage();
    await newcomer.goto(`${th.base}/hub/login`);
    await newcomer.click('#signup-link');
    await fillAccountForm(newcomer, 'Uma', 'uma-pass-11');
    expect(await newcomer.textContent('#signup-done')).toBe('Account requested');
    await signIn(newcomer, 'uma', 'uma-pass-11');
    expect(await newcomer.textContent('#local-error')).toContain("waiting for an admin's approval");
    const pending = await adminCall(owner, 'GET', '/hub/api/signups');
    expect(pending.json).toMatchObject([{ name: 'uma' }]);
    const users = new UsersScreen(owner, th.base);
    await users.open();
    await users.approveSignup('uma');
    expect(th.hub.context.store.getUser('uma')).toBeDefined();
    await signIn(newcomer, 'uma', 'uma-pass-11');
    await newcomer.waitForURL(`${th.base}/hub/home`);
    await newcomer.context().close();
  });
});
