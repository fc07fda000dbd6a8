import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDockerAndImage } from './fixtures/docker.js';
import { type AdminHub, startAdminHub } from './fixtures/admin-hub.js';

// F08: Docker is not running when the hub starts; the hub serves, says so, and when Docker comes
// up it finds it by itself: the address is proven and servers start, without restarting the hub.
// (Docker "coming up" is a socket appearing that forwards to the real engine.)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'f08-late-'));
const socket = path.join(dir, 'docker.sock');
let forwarder: net.Server | undefined;
let hub: AdminHub;

beforeAll(async () => {
  await requireDockerAndImage();
  hub = await startAdminHub({ docker: { socketPath: socket } });
});
afterAll(async () => {
  await hub?.stop();
  forwarder?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('F08: Docker that starts after the hub', () => {
  it('is found without a hub restart, and servers then start', async () => {
    const before = await hub.api('POST', '/hub/api/users/boss/server');
    expect(before.status).toBe(503);
    expect(((await before.json()) as { message: string }).message).toBe(
      `Docker is not running: there is no socket at ${socket}.`,
    );

    forwarder = net.createServer((c) => {
      const engine = net.connect('/var/run/docker.sock');
      c.pipe(engine).pipe(c);
      c.on('error', () => engine.destroy());
      engine.on('error', () => c.destroy());
    });
    await new Promise<void>((resolve) => forwarder?.listen(socket, resolve));

    const until = Date.now() + 30_000;
    while (!hub.th.hub.context.addressProof()?.ok && Date.now() < until)
      await new Promise((r) => setTimeout(r, 250));
    expect(hub.th.hub.context.addressProof()?.ok).toBe(true);
    expect((await hub.api('POST', '/hub/api/users/boss/server')).status).toBe(201);
    expect((await fetch(`${hub.th.base}/user/boss/api`)).status).toBe(200);
    expect((await hub.api('DELETE', '/hub/api/users/boss/server')).status).toBe(204);
  });
});
