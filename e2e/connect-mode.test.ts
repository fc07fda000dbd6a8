import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminHub, startAdminHub } from './fixtures/admin-hub.js';
import { requireDockerAndImage } from './fixtures/docker.js';

// The hub→container direction: the container's network address where this machine reaches it (a
// Linux Docker host, as here), or a port published on 127.0.0.1 (Docker Desktop, remote engines).
const hubs: AdminHub[] = [];

beforeAll(requireDockerAndImage);
afterAll(async () => {
  for (const h of hubs) await h.stop();
});

async function serverUrl(connect: string): Promise<string> {
  const hub = await startAdminHub({ docker: { connect } });
  hubs.push(hub);
  expect((await hub.api('POST', '/hub/api/users/boss/server')).status).toBe(201);
  expect((await fetch(`${hub.th.base}/user/boss/api`)).status).toBe(200);
  const boss = hub.th.hub.context.store.getUser('boss');
  const url = hub.th.hub.context.store.getServer(boss?.id ?? -1, '')?.url ?? '';
  expect((await hub.api('DELETE', '/hub/api/users/boss/server')).status).toBe(204);
  return url;
}

describe('how the hub reaches containers', () => {
  it('auto picks the container address on a Linux Docker host', async () => {
    expect(await serverUrl('auto')).toMatch(/^http:\/\/172\.\d+\.\d+\.\d+:8888$/);
  });

  it('published-port works through a port on 127.0.0.1', async () => {
    expect(await serverUrl('published-port')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
