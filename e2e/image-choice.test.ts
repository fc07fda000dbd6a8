import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../hub-core/src/spawner/names.js';
import { type AdminHub, startAdminHub } from './fixtures/admin-hub.js';
import { docker, requireDockerAndImage } from './fixtures/docker.js';
import { TEST_IMAGE, uniqueLogin } from './fixtures/test-hub.js';

// The admin offers a second image; a user's choice is honoured, a choice not offered is refused in words.
const alt = `teamhub/singleuser:alt-${crypto.randomBytes(3).toString('hex')}`;
const user = uniqueLogin('img');
let hub: AdminHub;

beforeAll(async () => {
  await requireDockerAndImage();
  const [repo, tag] = alt.split(':') as [string, string];
  await docker.getImage(TEST_IMAGE).tag({ repo, tag });
  hub = await startAdminHub({ docker: { allowedImages: [alt] } });
  expect((await hub.api('POST', `/hub/api/users/${user}`)).status).toBe(201);
});

afterAll(async () => {
  await hub?.stop();
  await docker
    .getImage(alt)
    .remove()
    .catch(() => undefined);
});

describe('choosing an image', () => {
  it('offers the default first, then the extra ones', async () => {
    const me = (await (await hub.api('GET', '/hub/ui/api/me')).json()) as { images: string[] };
    expect(me.images).toEqual([TEST_IMAGE, alt]);
  });

  it('refuses an image that is not offered, naming the ones that are', async () => {
    const res = await hub.api('POST', `/hub/api/users/${user}/server`, { image: 'evil/miner:latest' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; fix: string };
    expect(body.message).toBe('The image "evil/miner:latest" is not offered on this hub.');
    expect(body.fix).toContain(alt);
    const model = (await (await hub.api('GET', `/hub/api/users/${user}`)).json()) as { pending: unknown };
    expect(model.pending).toBeNull();
  });

  it('starts the chosen image and tells the server which one it is', async () => {
    const res = await hub.api('POST', `/hub/api/users/${user}/server`, { image: alt });
    expect([201, 202]).toContain(res.status);
    await expect
      .poll(
        async () =>
          ((await (await hub.api('GET', `/hub/api/users/${user}`)).json()) as { server: string | null })
            .server,
        { timeout: 90_000, interval: 500 },
      )
      .toBe(`/user/${user}/`);
    const info = await docker.getContainer(containerName(hub.th.prefix, user)).inspect();
    expect(info.Config.Image).toBe(alt);
    expect(info.Config.Env).toContain(`JUPYTER_IMAGE_SPEC=${alt}`);
    const views = (await (await hub.api('GET', '/hub/ui/api/containers')).json()) as {
      containers: { user: string; image: string }[];
    };
    expect(views.containers.find((c) => c.user === user)?.image).toBe(alt);
    expect((await hub.api('DELETE', `/hub/api/users/${user}/server`)).status).toBe(204);
  });
});
