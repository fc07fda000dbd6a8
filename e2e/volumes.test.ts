import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { volumeName } from '../hub-core/src/spawner/names.js';
import { removeHubResources, requireDockerAndImage, volumeExists } from './fixtures/docker.js';
import { type TestHub, startTestHub } from './fixtures/test-hub.js';

// Users' files: kept across renames, never handed to a new user who happens to reuse a name.
const T = 'volumes-admin-token-0123456789abcd';
let th: TestHub;

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${th.base}${path}`, {
    method,
    headers: { authorization: `token ${T}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

async function readFile(user: string): Promise<number> {
  expect((await api('POST', `/hub/api/users/${user}/server`)).status).toBe(201);
  const res = await api('GET', `/user/${user}/api/contents/notes.txt`);
  expect((await api('DELETE', `/hub/api/users/${user}/server`)).status).toBe(204);
  return res.status;
}

beforeAll(async () => {
  await requireDockerAndImage();
  th = await startTestHub({ apiTokens: { [T]: 'boss' }, auth: { adminUsers: ['boss'] } });
});
afterAll(async () => {
  await th?.stop();
  await removeHubResources(th?.hub.hubId);
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
