import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName, volumeName } from '../hub-core/src/spawner/names.js';
import { launchBrowser } from './fixtures/browser.js';
import { containerExists, requireDockerAndImage, volumeExists } from './fixtures/docker.js';
import { type GithubHub, startGithubHub } from './fixtures/github-hub.js';
import { HubPages, JupyterApi } from './fixtures/pages.js';
import { type TestHub, uniqueLogin } from './fixtures/test-hub.js';

// The product's main job, as a person does it in Chromium: sign in with GitHub, start a server in a
// real container, run code on a real kernel through the hub's proxy, stop, start again, files kept.
const user = uniqueLogin('octo');

let gh: GithubHub;

let th: TestHub;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  await requireDockerAndImage();
  ({ browser, close: closeBrowser } = await launchBrowser());
  gh = await startGithubHub([user]);
  ({ th } = gh);
});

afterAll(async () => {
  await closeBrowser?.();
  await gh?.stop();
});

describe('walking skeleton in Chromium', () => {
  it('GitHub sign-in → real container → 6*7 on a real kernel → stop → start → notebook still there', async () => {
    const page = await browser.newPage();
    const hub = new HubPages(page, th.base);
    const jupyter = new JupyterApi(page, `/user/${user}/`);

    await hub.open();
    expect(page.url()).toBe(`${th.base}/hub/login`);
    await hub.signInWithGithub(user);
    expect(await hub.serverStatus()).toBe('stopped');

    await hub.startServerAndWait(user);
    expect(page.url()).toContain(`${th.base}/user/${user}/tree`);
    fs.mkdirSync('.test-artifacts', { recursive: true });
    await page.screenshot({ path: '.test-artifacts/walking-skeleton-tree.png' });

    expect(await jupyter.putNotebook('e2e-check.ipynb', '6*7')).toBe(201);
    expect(await jupyter.execute('6*7')).toBe('42');

    await hub.goHome();
    expect(await hub.serverStatus()).toBe('running');
    await hub.stopServer();
    expect(await hub.serverStatus()).toBe('stopped');
    expect(await containerExists(containerName(th.prefix, user))).toBe(false);
    expect(await volumeExists(volumeName(th.prefix, user))).toBe(true);

    await hub.startServerAndWait(user);
    const saved = await jupyter.getNotebookSource('e2e-check.ipynb');
    expect(saved).toEqual({ status: 200, source: '6*7' });

    await hub.goHome();
    await hub.stopServer();
    expect(await containerExists(containerName(th.prefix, user))).toBe(false);
  });
});
