import { afterAll, describe, expect, it } from 'vitest';
import { containerName } from '../hub-core/src/spawner/names.js';
import { containerExists, docker, removeHubResources, requireDockerAndImage } from './fixtures/docker.js';
import { type TestHub, startTestHub } from './fixtures/test-hub.js';

// F09: a configured notebook folder that does not exist. Inside the user's volume it is created;
// elsewhere the spawn fails at once naming the setting, not with a bare exit code after a timeout.
const T = 'f09-admin-token-0123456789abcdef';
const hubs: TestHub[] = [];
const api = (th: TestHub, method: string, path: string) =>
  fetch(`${th.base}${path}`, { method, headers: { authorization: `token ${T}` } });

async function hubWith(notebookDir: string): Promise<TestHub> {
  await requireDockerAndImage();
  const th = await startTestHub({
    apiTokens: { [T]: 'boss' },
    auth: { adminUsers: ['boss'] },
    docker: { notebookDir },
  });
  hubs.push(th);
  return th;
}

afterAll(async () => {
  for (const th of hubs) {
    await th.stop();
    await removeHubResources(th.hub.hubId);
  }
});

describe('F09: the notebook folder', () => {
  it('inside the volume, is created and the server opens there', async () => {
    const th = await hubWith('/home/jovyan/projects');
    expect((await api(th, 'POST', '/hub/api/users/boss/server')).status).toBe(201);
    const info = await docker.getContainer(containerName(th.prefix, 'boss')).inspect();
    expect(info.Config.Env).toContain('JUPYTERHUB_ROOT_DIR=/home/jovyan/projects');
    const listing = await api(th, 'GET', '/user/boss/api/contents');
    expect(listing.status).toBe(200);
    expect(((await listing.json()) as { path: string }).path).toBe('');
    expect((await api(th, 'DELETE', '/hub/api/users/boss/server')).status).toBe(204);
  });

  it('outside the volume and missing from the image, fails at once naming the setting', async () => {
    const th = await hubWith('/srv/assignments');
    const t0 = Date.now();
    const res = await api(th, 'POST', '/hub/api/users/boss/server');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; fix: string };
    expect(body.message).toBe(
      'The notebook folder /srv/assignments (setting docker.notebookDir) does not exist in the image teamhub/singleuser:bookworm.',
    );
    expect(body.fix).toContain('inside /home/jovyan');
    const model = (await (await api(th, 'GET', '/hub/api/users/boss')).json()) as {
      servers: object;
      pending: unknown;
    };
    expect(model).toMatchObject({ servers: {}, pending: null });
    expect(await containerExists(containerName(th.prefix, 'boss'))).toBe(false);
  });
});
