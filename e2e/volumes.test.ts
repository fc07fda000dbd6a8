import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { volumeName } from '../hub-core/src/spawner/names.js';
import { requireDockerAndImage, volumeExists } from './fixtures/docker.js';
import { type AdminHub, startAdminHub } from './fixtures/admin-hub.js';
import type { TestHub } from './fixtures/test-hub.js';

// Users' files: kept across renames, never handed to a new user who happens to reuse a name.
let hub: AdminHub;
let th: TestHub;
let api: AdminHub['api'];

async function readFile(user: string): Promise<number> {
  expect((await api('POST', `/hub/api/users/${user}/server`)).status).toBe(201);
  const res = await api('GET', `/user/${user}/api/contents/notes.txt`);
  expect((await api('DELETE', `/hub/api/users/${user}/server`)).status).toBe(204);
  return res.status;
}

beforeAll(async () => {
  await requireDockerAndImage();
  hub = await startAdminHub();
  ({ th, api } = hub);
});
afterAll(async () => {
  await hub?.stop();
});

describe("a user's volume", () => {
  it('follows a rename, and is not given to a new user of the old name', async () => {
    expect((await api('POST', '/hub/api/users/vera')).status).toBe(201);
    expect((await api('POST', '/hub/api/users/vera/server')).status).toBe(201);
    const put = await api('PUT', '/user/vera/api/contents/notes.txt', {
      type: 'file',
      format: 'text',
      content: 'mine',
    });
    expect(put.status).toBe(201);
    expect((await api('DELETE', '/hub/api/users/vera/server')).status).toBe(204);

    expect((await api('PATCH', '/hub/api/users/vera', { name: 'vera2' })).status).toBe(200);
    expect(await readFile('vera2')).toBe(200);

    expect((await api('DELETE', '/hub/api/users/vera2')).status).toBe(204);
    expect(await volumeExists(volumeName(th.prefix, 'vera'))).toBe(true);
    expect((await api('POST', '/hub/api/users/vera')).status).toBe(201);
    expect(await readFile('vera')).toBe(404);
    const again = th.hub.context.store.getUser('vera');
    expect(again?.volume).toBe(`${volumeName(th.prefix, 'vera')}-${again?.id}`);
  });
});
