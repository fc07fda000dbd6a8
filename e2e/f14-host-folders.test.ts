import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDockerAndImage } from './fixtures/docker.js';
import { type AdminHub, startAdminHub } from './fixtures/admin-hub.js';
import type { TestHub } from './fixtures/test-hub.js';

// F14: a per-user host folder mounted into the container. Missing, it is made owned by the image's
// user (uid 1000 here), so saving works; present but not writable, the admin is told which folder.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'f14-'));
let hub: AdminHub;
let th: TestHub;
let api: AdminHub['api'];

beforeAll(async () => {
  await requireDockerAndImage();
  hub = await startAdminHub({
    docker: { binds: [{ host: `${root}/users/{user}`, container: '/home/jovyan/work' }] },
  });
  ({ th, api } = hub);
  expect((await api('POST', '/hub/api/users', { usernames: ['bob', 'cat'] })).status).toBe(201);
});
afterAll(async () => {
  await hub?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('F14: mounted work folders', () => {
  it('a missing folder is created for the image user, and saving a notebook there works', async () => {
    expect((await api('POST', '/hub/api/users/bob/server')).status).toBe(201);
    const stat = fs.statSync(path.join(root, 'users', 'bob'));
    expect(stat.uid).toBe(1000);
    const put = await api('PUT', '/user/bob/api/contents/work/t.ipynb', {
      type: 'notebook',
      content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 },
    });
    expect(put.status).toBe(201);
    expect(fs.existsSync(path.join(root, 'users', 'bob', 't.ipynb'))).toBe(true);
  });

  it('a folder the container cannot write is reported to the admin with its host path', async () => {
    const folder = path.join(root, 'users', 'cat');
    fs.mkdirSync(folder, { recursive: true, mode: 0o755 });
    fs.chownSync(folder, 0, 0);
    expect((await api('POST', '/hub/api/users/cat/server')).status).toBe(201);
    const events = th.hub.context.store.listEvents(20).filter((e) => e.kind === 'server-warning');
    expect(events.map((e) => e.message)).toContain(
      `cat's server: The folder /home/jovyan/work is not writable by the container's user (jovyan): host folder ${folder}.`,
    );
  });
});
