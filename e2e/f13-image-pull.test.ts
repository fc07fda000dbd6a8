import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../hub-core/src/events.js';
import { docker, removeHubResources, requireDockerAndImage } from './fixtures/docker.js';
import { FakeRegistry } from './fixtures/fake-registry.js';
import { type TestHub, startTestHub } from './fixtures/test-hub.js';

// F13: a missing image is pulled with its own time limit and visible progress (layers and bytes),
// concurrent spawns share one pull, and "no such image" / "credentials needed" fail in seconds naming
// the image. (The image pulled here is tiny and cannot run Jupyter: these tests are about the pull.)
const T = 'f13-admin-token-0123456789abcdef';
let registry: FakeRegistry;
const hubs: TestHub[] = [];

async function hubFor(image: string): Promise<TestHub> {
  const th = await startTestHub({
    apiTokens: { [T]: 'boss' },
    auth: { adminUsers: ['boss'] },
    docker: { image },
  });
  hubs.push(th);
  await fetch(`${th.base}/hub/api/users`, {
    method: 'POST',
    headers: { authorization: `token ${T}` },
    body: JSON.stringify({ usernames: ['ann', 'ben'] }),
  });
  return th;
}

const start = (th: TestHub, user: string) =>
  fetch(`${th.base}/hub/api/users/${user}/server`, {
    method: 'POST',
    headers: { authorization: `token ${T}` },
  });

async function forget(image: string): Promise<void> {
  await docker
    .getImage(image)
    .remove({ force: true })
    .catch(() => undefined);
}

beforeAll(async () => {
  await requireDockerAndImage();
  registry = await new FakeRegistry().start();
});

afterAll(async () => {
  for (const th of hubs) {
    await th.stop();
    await removeHubResources(th.hub.hubId);
  }
  await forget(registry.image());
  await registry.stop();
});

describe('F13: pulling a missing image', () => {
  it('two spawns share one pull and both show its progress in layers and bytes', async () => {
    const image = registry.image();
    await forget(image);
    const th = await hubFor(image);
    const seen: Record<string, ProgressEvent[]> = { ann: [], ben: [] };
    for (const name of ['ann', 'ben']) {
      const id = th.hub.context.store.getUser(name)?.id;
      th.hub.context.events.on(`progress:${id}/`, (e: ProgressEvent) => seen[name]?.push(e));
    }
    await Promise.all([start(th, 'ann'), start(th, 'ben')]);
    const layerFetches = [...registry.blobFetches.values()].filter((n) => n > 0);
    expect(Math.max(...layerFetches)).toBe(1);
    await docker.getImage(image).inspect();
    for (const name of ['ann', 'ben']) {
      const messages = (seen[name] ?? []).map((e) => e.message);
      expect(
        messages.some((m) => /Pulling image .*: \d+ of \d+ layers, [\d.]+ of [\d.]+ MB/.test(m)),
        name,
      ).toBe(true);
    }
  });

  it('a tag that does not exist fails in seconds naming the image; nothing is left behind', async () => {
    const th = await hubFor(registry.image('nope'));
    const t0 = Date.now();
    const res = await start(th, 'ann');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { message: string }).message).toBe(
      `The image ${registry.image('nope')} does not exist in its registry.`,
    );
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`org.teamhub.hub=${th.hub.hubId}`] },
    });
    expect(left).toEqual([]);
  });

  it('a registry that wants credentials is named as such', async () => {
    const image = registry.image();
    await forget(image);
    registry.mode = 'auth-required';
    try {
      const th = await hubFor(image);
      const res = await start(th, 'ann');
      expect(res.status).toBe(502);
      const body = (await res.json()) as { message: string; fix: string };
      expect(body.message).toBe(`The registry of ${image} asks for credentials.`);
      expect(body.fix).toContain('docker login');
    } finally {
      registry.mode = 'normal';
    }
  });

  it('a connection dropped mid-layer is resumed and the pull completes', async () => {
    const image = registry.image();
    await forget(image);
    registry.mode = 'drop-layer-once';
    const th = await hubFor(image);
    await start(th, 'ben');
    // The engine retries the dropped layer after a pause; the pull has its own time limit for that.
    const until = Date.now() + 90_000;
    let present = false;
    while (!present && Date.now() < until) {
      present = await docker
        .getImage(image)
        .inspect()
        .then(
          () => true,
          () => false,
        );
      if (!present) await new Promise((r) => setTimeout(r, 500));
    }
    expect(present).toBe(true);
    expect(registry.mode).toBe('normal');
  });
});
