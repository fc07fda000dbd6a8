import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../hub-core/src/spawner/names.js';
import { containerExists, requireDockerAndImage } from './fixtures/docker.js';
import { type GithubHub, startGithubHub } from './fixtures/github-hub.js';
import type { GithubProvider } from './fixtures/github-provider.js';
import { homeFailure } from './fixtures/home-state.js';
import { Browserless } from './fixtures/http-client.js';
import { signInBrowserless } from './fixtures/sign-in.js';
import { type TestHub, uniqueLogin } from './fixtures/test-hub.js';

// A container that exits while starting fails the spawn at once, with its exit code and last log
// lines, on the page and in the API — here the real singleuser refusing a notebook dir that does not exist.
const user = uniqueLogin('dora');

let gh: GithubHub;
let provider: GithubProvider;
let th: TestHub;

beforeAll(async () => {
  await requireDockerAndImage();
  gh = await startGithubHub([user], {
    docker: { env: { JUPYTERHUB_ROOT_DIR: '/home/jovyan/projects' }, startTimeoutSeconds: 90 },
  });
  ({ provider, th } = gh);
});

afterAll(async () => {
  await gh?.stop();
});

describe('a server that exits while starting', () => {
  it('fails the spawn within seconds with exit code and logs; nothing is left running', async () => {
    const client = new Browserless(th.base);
    const xsrf = await signInBrowserless(client, provider, user);
    const t0 = Date.now();
    const res = await client.request(`/hub/api/users/${user}/server`, {
      method: 'POST',
      headers: { 'x-xsrftoken': xsrf },
    });
    // The API answers within its 10 s window; a failure that fast is an error, not "pending".
    const body = res.status >= 400 ? ((await res.json()) as { message: string }) : undefined;
    const progress = await client.request(`/hub/api/users/${user}/server/progress`);
    const stream = await progress.text();
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(stream).toContain('"failed":true');
    expect(stream).toContain('exited with code 1');
    if (body) expect(body.message).toContain('exited with code 1');

    const model = (await (await client.request(`/hub/api/users/${user}`)).json()) as {
      server: string | null;
      pending: string | null;
      servers: Record<string, unknown>;
    };
    expect(model).toMatchObject({ server: null, pending: null, servers: {} });
    expect(await containerExists(containerName(th.prefix, user))).toBe(false);

    const failure = await homeFailure(client);
    expect(failure.message).toContain('exited with code 1');
    expect(failure.evidence.join('\n')).toContain('/home/jovyan/projects');
    expect(failure.fix).toContain('set docker.notebookDir to a folder inside docker.homeMount');
  });
});

describe('a container that exits at once', () => {
  it('is reported with its exit code and output, every time, and not left behind', async () => {
    const login = uniqueLogin('eve');
    const quick = await startGithubHub([login], {
      docker: { cmd: ['sh', '-c', 'echo "boom: missing thing" >&2; exit 3'] },
    });
    try {
      const client = new Browserless(quick.th.base);
      const xsrf = await signInBrowserless(client, quick.provider, login);
      for (let i = 0; i < 3; i++) {
        const res = await client.request(`/hub/api/users/${login}/server`, {
          method: 'POST',
          headers: { 'x-xsrftoken': xsrf },
        });
        expect(res.status).toBe(502);
        expect(((await res.json()) as { message: string }).message).toContain('exited with code 3');
        expect(await containerExists(containerName(quick.th.prefix, login))).toBe(false);
      }
      expect((await homeFailure(client)).evidence).toContain('boom: missing thing');
    } finally {
      await quick.stop();
    }
  });
});
