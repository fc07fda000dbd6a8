import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../hub-core/src/spawner/names.js';
import { docker, requireDockerAndImage } from './fixtures/docker.js';
import { type GithubHub, startGithubHub } from './fixtures/github-hub.js';
import type { GithubProvider } from './fixtures/github-provider.js';
import { homeFailure } from './fixtures/home-state.js';
import { Browserless } from './fixtures/http-client.js';
import { signInBrowserless } from './fixtures/sign-in.js';
import { type TestHub, uniqueLogin } from './fixtures/test-hub.js';

// A container killed or exiting outside the hub: Docker events drop its route at once (its address
// may go to another user's container next), and the user is told what happened.
const user = uniqueLogin('kim');
let gh: GithubHub;
let provider: GithubProvider;
let th: TestHub;
let client: Browserless;
let xsrf: string;

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startServer(): Promise<void> {
  const res = await client.request(`/hub/api/users/${user}/server`, {
    method: 'POST',
    headers: { 'x-xsrftoken': xsrf },
  });
  expect([201, 202]).toContain(res.status);
  await until(
    'the server',
    async () => {
      const m = (await (await client.request(`/hub/api/users/${user}`)).json()) as {
        servers: Record<string, { ready: boolean }>;
      };
      return m.servers['']?.ready ? true : undefined;
    },
    60_000,
  );
}

beforeAll(async () => {
  await requireDockerAndImage();
  gh = await startGithubHub([user]);
  ({ provider, th } = gh);
  client = new Browserless(th.base);
  xsrf = await signInBrowserless(client, provider, user);
});

afterAll(async () => {
  await gh?.stop();
});

describe('a server whose container dies outside the hub', () => {
  it('loses its route within seconds, says why (exit 137), and starts again cleanly', async () => {
    await startServer();
    await docker.getContainer(containerName(th.prefix, user)).kill();
    const t0 = Date.now();
    await until(
      'the route to go',
      async () => (th.hub.context.routes.lookup(`/user/${user}/`) ? undefined : true),
      5_000,
    );
    expect(Date.now() - t0).toBeLessThan(5_000);

    // The explanation (exit code, last logs) follows a moment after the route is gone.
    const kim = th.hub.context.store.getUser(user);
    await until(
      'the failure to be recorded',
      async () => (th.hub.context.store.getServer(kim?.id ?? -1, '')?.status === 'failed' ? true : undefined),
      5_000,
    );
    const api = await client.request(`/user/${user}/api/status`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({
      status: 404,
      message: expect.stringContaining('exit code 137'),
    });
    const page = await client.request(`/user/${user}/tree`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('killed (exit code 137: often out of memory)');
    const model = (await (await client.request(`/hub/api/users/${user}`)).json()) as {
      server: unknown;
      servers: object;
    };
    expect(model).toMatchObject({ server: null, servers: {} });
    const failure = await homeFailure(client);
    expect(failure.exitCode).toBe(137);
    expect(failure.message).toContain('exit code 137');

    await startServer();
    const again = await client.request(`/hub/api/users/${user}/server`, {
      method: 'DELETE',
      headers: { 'x-xsrftoken': xsrf },
    });
    expect(again.status).toBe(204);
  });
});

describe('a user removed with the CLI while the hub runs', () => {
  it('loses the route to their container at once', async () => {
    const other = uniqueLogin('rm');
    th.hub.context.store.ensureUser(other);
    const ann = th.hub.context.store.getUser(other);
    if (!ann) throw new Error('user missing');
    await th.hub.context.servers.spawn(ann, '').done;
    expect(th.hub.context.routes.lookup(`/user/${other}/`)).toBeDefined();
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'e2e/fixtures/run-cli.ts', 'user', 'remove', other],
      {
        encoding: 'utf8',
        env: { ...process.env, TEAMHUB_DATA_DIR: th.dataDir },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const end = Date.now() + 5_000;
    while (th.hub.context.routes.lookup(`/user/${other}/`) && Date.now() < end)
      await new Promise((res) => setTimeout(res, 100));
    expect(th.hub.context.routes.lookup(`/user/${other}/`)).toBeUndefined();
  });
});
