import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName, volumeName } from '../hub-core/src/spawner/names.js';
import { containerExists, docker, requireDockerAndImage, volumeExists } from './fixtures/docker.js';
import { type GithubHub, startGithubHub } from './fixtures/github-hub.js';
import type { GithubProvider } from './fixtures/github-provider.js';
import { Browserless } from './fixtures/http-client.js';
import { signInBrowserless } from './fixtures/sign-in.js';
import { type TestHub, uniqueLogin } from './fixtures/test-hub.js';

// Debian's real jupyterhub-singleuser 3.0, in a real container, against the hub: version check,
// activity, the OAuth dance with its token exchange, and /hub/api/user.
const alice = uniqueLogin('alice');
const frank = uniqueLogin('Frank-Dev');
const grace = uniqueLogin('Grace');

let gh: GithubHub;
let provider: GithubProvider;
let th: TestHub;

beforeAll(async () => {
  await requireDockerAndImage();
  gh = await startGithubHub([alice, frank, grace]);
  ({ provider, th } = gh);
});

afterAll(async () => {
  await gh?.stop();
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('jupyterhub-singleuser 3.0 against the hub', () => {
  it('starts, reports activity, completes the OAuth exchange and identifies the user', async () => {
    const client = new Browserless(th.base);
    const xsrf = await signInBrowserless(client, provider, alice);
    const spawn = await client.request(`/hub/api/users/${alice}/server`, {
      method: 'POST',
      headers: { 'x-xsrftoken': xsrf, 'content-type': 'application/json' },
      body: '{}',
    });
    expect([201, 202]).toContain(spawn.status);
    const model = await waitFor('the server to be ready', async () => {
      const m = (await (await client.request(`/hub/api/users/${alice}`)).json()) as {
        last_activity: string | null;
        servers: Record<string, { ready: boolean; url: string }>;
      };
      return m.servers['']?.ready ? m : undefined;
    });
    expect(model.servers['']?.url).toBe(`/user/${alice}/`);

    // The version probe passed (the server would have exited otherwise); activity arrives right after it.
    await waitFor('activity from the server', async () => {
      const m = (await (await client.request(`/hub/api/users/${alice}`)).json()) as {
        last_activity: string | null;
      };
      return m.last_activity ?? undefined;
    });

    // Browser-style visit: singleuser → hub authorize → callback → token exchange → /hub/api/user → the page.
    const visit = await client.follow(`/user/${alice}/tree?from=test`);
    expect(visit.res.status).toBe(200);
    expect(visit.url).toBe(`${th.base}/user/${alice}/tree?from=test`);
    expect(await visit.res.text()).toContain('Jupyter');
    expect(client.cookie(`jupyterhub-user-${alice}`)).toBeTruthy();
    const oauthTokens = th.hub.context.store.db
      .prepare(
        `SELECT scopes FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.name = ? AND kind = 'oauth'`,
      )
      .all(alice) as { scopes: string }[];
    expect(oauthTokens.length).toBe(1);
    expect(JSON.parse(oauthTokens[0]?.scopes ?? '[]')).toContain(`access:servers!server=${alice}/`);

    // The server's own token: it identifies its owner, and it is not an admin credential.
    const info = await docker.getContainer(containerName(th.prefix, alice)).inspect();
    const token = info.Config.Env.find((e) => e.startsWith('JUPYTERHUB_API_TOKEN='))?.split('=')[1];
    const me = await fetch(`${th.base}/hub/api/user`, { headers: { authorization: `token ${token}` } });
    expect(me.status).toBe(200);
    const self = (await me.json()) as { name: string; kind: string; scopes: string[] };
    expect(self).toMatchObject({ name: alice, kind: 'user' });
    expect(self.scopes).toContain(`users:activity!user=${alice}`);
    const start = await fetch(`${th.base}/hub/api/users/${alice}/server`, {
      method: 'DELETE',
      headers: { authorization: `token ${token}` },
    });
    expect(start.status).toBe(403);
    expect(((await start.json()) as { message: string }).message).toContain('single-user server token');

    // Stop: the route, container and tokens go; the volume with the user's files stays.
    const stop = await client.request(`/hub/api/users/${alice}/server`, {
      method: 'DELETE',
      headers: { 'x-xsrftoken': xsrf },
    });
    expect(stop.status).toBe(204);
    expect(await containerExists(containerName(th.prefix, alice))).toBe(false);
    expect(await volumeExists(volumeName(th.prefix, alice))).toBe(true);
    const gone = await fetch(`${th.base}/hub/api/user`, { headers: { authorization: `token ${token}` } });
    expect(gone.status).toBe(403);
    const after = await client.request(`/user/${alice}/api/contents`);
    expect(after.status).toBe(404);
  });

  it('F08: GitHub users without host accounts, one with capitals, each get a container; nothing needs root or getpwnam', async () => {
    for (const login of [frank, grace]) {
      const name = login.toLowerCase();
      const client = new Browserless(th.base);
      const xsrf = await signInBrowserless(client, provider, login);
      const res = await client.request(`/hub/api/users/${name}/server`, {
        method: 'POST',
        headers: { 'x-xsrftoken': xsrf },
      });
      expect([201, 202]).toContain(res.status);
      await waitFor(`${name}'s server`, async () => {
        const m = (await (await client.request(`/hub/api/users/${name}`)).json()) as {
          servers: Record<string, { ready: boolean }>;
        };
        return m.servers['']?.ready ? true : undefined;
      });
      const info = await docker.getContainer(containerName(th.prefix, name)).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.Config.User).toBe('jovyan');
      expect(info.Config.Env).toContain(`JUPYTERHUB_USER=${name}`);
      const stop = await client.request(`/hub/api/users/${name}/server`, {
        method: 'DELETE',
        headers: { 'x-xsrftoken': xsrf },
      });
      expect(stop.status).toBe(204);
    }
  });
});
