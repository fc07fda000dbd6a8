import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRow } from '../hub-core/src/store/store.js';
import { removeHubResources, requireDockerAndImage } from './fixtures/docker.js';
import { type TestHub, startTestHub } from './fixtures/test-hub.js';

// Starts and stops that overlap, and named servers with names that would escape their prefix.
const T = 'races-admin-token-0123456789abcdef';
let th: TestHub;
let ann: UserRow;

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${th.base}${path}`, {
    method,
    headers: { authorization: `token ${T}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

/** A raw request, so that paths such as `/servers/..` reach the hub unnormalised. */
function rawRequest(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: th.port, method, path, headers: { authorization: `token ${T}` } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  await requireDockerAndImage();
  th = await startTestHub({
    apiTokens: { [T]: 'boss' },
    auth: { adminUsers: ['boss'] },
    namedServers: { enabled: true },
    // Slow to start, so that a stop can be asked for while it starts.
    docker: { cmd: ['sh', '-c', 'sleep 6; exec jupyterhub-singleuser'] },
  });
  expect((await api('POST', '/hub/api/users', { usernames: ['ann'] })).status).toBe(201);
  ann = th.hub.context.store.getUser('ann') as UserRow;
});

afterAll(async () => {
  await th?.stop();
  await removeHubResources(th?.hub.hubId);
});

describe('named server names', () => {
  it.each(['..', '.', 'x%2Fy', '%0A'])('refuses %s without touching the user', async (name) => {
    const res = await rawRequest('POST', `/hub/api/users/ann/servers/${name}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400 });
    expect(th.hub.context.store.getUser('ann')).toBeDefined();
  });
});

describe('overlapping start and stop', () => {
  it('a start while a stop is queued is refused, not accepted and dropped', async () => {
    const { done } = th.hub.context.servers.spawn(ann, '');
    const stopping = th.hub.context.servers.stop(ann, '');
    const again = await api('POST', '/hub/api/users/ann/server');
    expect(again.status).toBe(400);
    expect(((await again.json()) as { message: string }).message).toContain('is being stopped');
    await done.catch(() => undefined);
    await stopping;
    expect(th.hub.context.store.getServer(ann.id, '')?.status).toBe('stopped');
  });

  it('remove: true still removes a named server whose stop finishes after the 202', async () => {
    th.hub.context.servers.spawn(ann, 'slow').done.catch(() => undefined);
    const res = await api('DELETE', '/hub/api/users/ann/servers/slow', { remove: true });
    expect([202, 204]).toContain(res.status);
    const until = Date.now() + 60_000;
    while (th.hub.context.store.getServer(ann.id, 'slow') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 200));
    expect(th.hub.context.store.getServer(ann.id, 'slow')).toBeUndefined();
    expect((await api('DELETE', '/hub/api/users/ann/servers/slow', { remove: 'yes' })).status).toBe(400);
  });
});
