import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GithubProvider } from '../../e2e/fixtures/github-provider.js';
import { type TestHub, startTestHub } from '../../e2e/fixtures/test-hub.js';

// Issue 7, item 0: LAN sharing switched on and off while the hub runs. A loopback alias (127.0.0.2)
// stands in for a LAN address: it is this machine, like a LAN address, and needs no real network.
const T = 'lan-admin-token-0123456789abcdef0';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-lan-'));
const settings = {
  dataDir,
  apiTokens: { [T]: 'boss' },
  // No sign-in method at all, so that only the admin could sign in.
  auth: { adminUsers: ['boss'], local: { enabled: false } },
  docker: { socketPath: '/nonexistent/docker.sock' },
};
let th: TestHub | undefined;

afterAll(async () => {
  await th?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const put = (addresses: unknown) =>
  fetch(`${th!.base}/hub/ui/api/settings/lan`, {
    method: 'PUT',
    headers: { authorization: `token ${T}`, 'content-type': 'application/json' },
    body: JSON.stringify({ addresses }),
  });

/** Reads from a stream; 'open' when nothing arrives (and nothing ends it) within ms. */
async function stillOpen(reader: ReadableStreamDefaultReader<Uint8Array>, ms = 300): Promise<string> {
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('open'), ms));
  const next = reader.read().then(
    (r) => (r.done ? 'ended' : 'data'),
    () => 'ended',
  );
  return Promise.race([timeout, next]);
}

describe('LAN sharing', () => {
  it('turns on for this machine’s addresses only, and teammates reach the hub there', async () => {
    th = await startTestHub(settings);
    // Only the admin exists and no rule admits anyone else: admins are told on every screen.
    const me = await fetch(`${th.base}/hub/ui/api/me`, { headers: { authorization: `token ${T}` } });
    expect(await me.json()).toMatchObject({ onlyAdminsCanSignIn: true });
    const bad = await put(['10.254.254.254']);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      '10.254.254.254 is not a LAN address of this computer.',
    );
    expect((await put('127.0.0.2')).status).toBe(400);

    const on = await put(['127.0.0.2']);
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({
      addresses: ['127.0.0.2'],
      problems: [],
      urls: [`http://127.0.0.2:${th.port}/`],
    });
    const there = await fetch(`http://127.0.0.2:${th.port}/hub/api`);
    expect(there.status).toBe(200);
    // The sign-in settings then list the shared address for teammates (and its callback URLs).
    const auth = await fetch(`${th.base}/hub/api/auth/settings`, {
      headers: { authorization: `token ${T}` },
    });
    expect(await auth.json()).toMatchObject({ teammateAddresses: [`http://127.0.0.2:${th.port}/hub/`] });
  });

  it('turning it off closes the LAN listener and its connections, not the loopback ones', async () => {
    const live = (host: string) =>
      fetch(`http://${host}:${th!.port}/hub/ui/api/live`, { headers: { authorization: `token ${T}` } });
    const loop = (await live('127.0.0.1')).body!.getReader();
    const lan = (await live('127.0.0.2')).body!.getReader();
    await loop.read();
    await lan.read();

    expect((await put([])).status).toBe(200);
    await expect(fetch(`http://127.0.0.2:${th!.port}/hub/api`)).rejects.toThrow();
    expect(await stillOpen(lan)).toBe('ended');
    expect(await stillOpen(loop)).toBe('open');
    expect((await fetch(`${th!.base}/hub/api`)).status).toBe(200);
    await loop.cancel();
  });

  it('is remembered: the next start shares on the same addresses again', async () => {
    expect((await put(['127.0.0.2'])).status).toBe(200);
    await th!.hub.stop();
    th = await startTestHub(settings);
    expect((await fetch(`http://127.0.0.2:${th.port}/hub/api`)).status).toBe(200);
    const s = (await (
      await fetch(`${th.base}/hub/ui/api/settings`, { headers: { authorization: `token ${T}` } })
    ).json()) as { lan: { addresses: string[] } };
    expect(s.lan.addresses).toEqual(['127.0.0.2']);
  });
});

describe('the sign-in check with LAN sharing on', () => {
  it('checks the teammates’ callback URL too, and it reaches the hub', async () => {
    const provider = await new GithubProvider({
      clientId: 'Ov23liLanCheck',
      clientSecret: 'lan-check-secret',
      callbackUrl: 'unused',
    }).start();
    const hub = await startTestHub({
      apiTokens: { [T]: 'boss' },
      auth: {
        adminUsers: ['boss'],
        github: {
          clientId: 'Ov23liLanCheck',
          clientSecret: 'lan-check-secret',
          url: provider.url,
          apiUrl: provider.apiUrl,
        },
      },
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    try {
      const headers = { authorization: `token ${T}`, 'content-type': 'application/json' };
      const lanOn = await fetch(`${hub.base}/hub/ui/api/settings/lan`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ addresses: ['127.0.0.3'] }),
      });
      expect(lanOn.status).toBe(200);
      const res = await fetch(`${hub.base}/hub/ui/api/settings/check-login`, {
        method: 'POST',
        headers,
        body: '{}',
      });
      const { checks } = (await res.json()) as { checks: { name: string; ok: boolean }[] };
      expect(checks).toEqual([
        expect.objectContaining({ name: 'provider', ok: true }),
        expect.objectContaining({
          name: `callback http://localhost:${hub.port}/hub/oauth_callback`,
          ok: true,
        }),
        expect.objectContaining({
          name: `callback http://127.0.0.3:${hub.port}/hub/oauth_callback`,
          ok: true,
        }),
      ]);
    } finally {
      await hub.stop();
      await provider.stop();
    }
  });
});

describe('invite links with LAN sharing on', () => {
  it('an admin on this computer gets a link teammates can open: the LAN address, not localhost', async () => {
    const hub = await startTestHub({
      apiTokens: { [T]: 'boss' },
      auth: { adminUsers: ['boss'], local: { enabled: true } },
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    try {
      const headers = { authorization: `token ${T}`, 'content-type': 'application/json' };
      const invite = async () =>
        (await (
          await fetch(`${hub.base}/hub/api/invites`, { method: 'POST', headers, body: '{}' })
        ).json()) as {
          url: string;
          urls: string[];
          path: string;
        };
      // Sharing off: this computer's address is all there is.
      expect((await invite()).url).toMatch(new RegExp(`^http://localhost:${hub.port}/hub/invite/`));
      const lanOn = await fetch(`${hub.base}/hub/ui/api/settings/lan`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ addresses: ['127.0.0.4'] }),
      });
      expect(lanOn.status).toBe(200);
      const shared = await invite();
      expect(shared.url).toBe(`http://127.0.0.4:${hub.port}${shared.path}`);
      expect(shared.urls).toContain(`http://localhost:${hub.port}${shared.path}`);
      // The teammate's browser opens it at that address.
      expect((await fetch(shared.url)).status).toBe(200);
    } finally {
      await hub.stop();
    }
  });
});
