import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../hub-core/src/spawner/names.js';
import { docker, removeHubResources, requireDockerAndImage } from './fixtures/docker.js';
import { type TestHub, freePort, startTestHub } from './fixtures/test-hub.js';

// F10: the hub picks the address containers can reach, proves it with a throwaway container, and
// gives exactly that to user containers; when a firewall drops the traffic, spawns fail in seconds
// with that sentence instead of after the start timeout.
const ADMIN = 'f10-admin-token-0123456789abcdef';
const hubs: TestHub[] = [];

const call = (th: TestHub, method: string, path: string) =>
  fetch(`${th.base}${path}`, { method, headers: { authorization: `token ${ADMIN}` } });

async function proofOf(th: TestHub) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const p = th.hub.context.addressProof();
    if (p) return p;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no address proof within 30 s');
}

beforeAll(requireDockerAndImage);
afterAll(async () => {
  for (const th of hubs) {
    await th.stop();
    await removeHubResources(th.hub.hubId);
  }
});

describe('F10: the hub address containers use', () => {
  it('is the bridge address, proven from a container, and exactly what user containers get', async () => {
    const th = await startTestHub({ apiTokens: { [ADMIN]: 'boss' }, auth: { adminUsers: ['boss'] } });
    hubs.push(th);
    const proof = await proofOf(th);
    expect(proof).toMatchObject({ ok: true, checked: true, url: th.hub.urls.internalApi });
    const host = new URL(proof.url).hostname;
    expect(host).not.toBe('127.0.0.1');
    expect(host).not.toBe('0.0.0.0');
    expect(execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' })).toContain(`inet ${host}/`);

    const started = await call(th, 'POST', '/hub/api/users/boss/server');
    expect(started.status).toBe(201);
    const info = await docker.getContainer(containerName(th.prefix, 'boss')).inspect();
    expect(info.Config.Env).toContain(`JUPYTERHUB_API_URL=${proof.url}`);
    const diag = (await (await call(th, 'GET', '/hub/api/diagnostics')).json()) as {
      hub_address: { ok: boolean };
    };
    expect(diag.hub_address.ok).toBe(true);
    expect((await call(th, 'DELETE', '/hub/api/users/boss/server')).status).toBe(204);
  });

  it('behind a firewall that drops bridge traffic, a spawn fails in seconds saying so', async () => {
    const port = await freePort();
    const rule = ['INPUT', '-i', 'docker0', '-p', 'tcp', '--dport', String(port), '-j', 'DROP'];
    execFileSync('iptables', ['-I', ...rule]);
    try {
      const th = await startTestHub({
        apiTokens: { [ADMIN]: 'boss' },
        auth: { adminUsers: ['boss'] },
        docker: { internalPort: port },
      });
      hubs.push(th);
      const t0 = Date.now();
      const res = await call(th, 'POST', '/hub/api/users/boss/server');
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(res.status).toBe(503);
      const { message } = (await res.json()) as { message: string };
      expect(message).toBe(`Containers cannot reach the hub at ${th.hub.urls.internalApi}: timed out.`);
      const proof = await proofOf(th);
      expect(proof.ok).toBe(false);
      const model = (await (await call(th, 'GET', '/hub/api/users/boss')).json()) as { servers: object };
      expect(model.servers).toEqual({});
    } finally {
      execFileSync('iptables', ['-D', ...rule]);
    }
  });
});
