import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName, volumeName } from '../hub-core/src/spawner/names.js';
import { docker, requireDockerAndImage } from './fixtures/docker.js';
import { type AdminHub, startAdminHub } from './fixtures/admin-hub.js';
import type { TestHub } from './fixtures/test-hub.js';

// F15: names from a generic OAuth provider (e-mail addresses, capitals, non-ASCII, long) all get
// valid, distinct, stable Docker names, and their servers are reachable under /user/<name>/.
const NAMES = ['Alice.Smith@example.org', '_svc', 'zoë', 'a'.repeat(80)];
let hub: AdminHub;
let th: TestHub;
let api: AdminHub['api'];

beforeAll(async () => {
  await requireDockerAndImage();
  hub = await startAdminHub();
  ({ th, api } = hub);
});
afterAll(async () => {
  await hub?.stop();
});

describe('F15: user names as Docker names and URLs', () => {
  it('one user per name after lower-casing, each with its own valid container and volume, reachable by URL', async () => {
    const created = await api('POST', '/hub/api/users', {
      usernames: [...NAMES, 'alice.smith@example.org', 'ALICE', 'alice'],
    });
    expect(created.status).toBe(201);
    const names = ((await created.json()) as { name: string }[]).map((u) => u.name);
    // Names are lower-cased (documented): the two spellings of Alice's address are one user, ALICE is alice.
    expect(names).toEqual(['alice.smith@example.org', '_svc', 'zoë', 'a'.repeat(80), 'alice']);
    const seen = new Set<string>();
    for (const name of names.slice(0, 4)) {
      const path = `/hub/api/users/${encodeURIComponent(name)}/server`;
      expect((await api('POST', path)).status, name).toBe(201);
      const info = await docker.getContainer(containerName(th.prefix, name)).inspect();
      expect(info.Name.slice(1)).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
      const volume = info.Mounts.find((m) => m.Destination === '/home/jovyan')?.Name ?? '';
      expect(volume).toBe(volumeName(th.prefix, name));
      seen.add(info.Name).add(volume);
      const page = await fetch(`${th.base}/user/${encodeURIComponent(name)}/api`);
      expect(page.status, name).toBe(200);
      expect((await api('DELETE', path)).status).toBe(204);
    }
    expect(seen.size).toBe(8);
  });
});
