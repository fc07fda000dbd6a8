import { type ChildProcess, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../hub-core/src/spawner/names.js';
import { docker, removeHubResources, requireDockerAndImage } from './fixtures/docker.js';
import { TEST_IMAGE, freePort } from './fixtures/test-hub.js';

// The hub as its own process, killed with SIGKILL: on restart it re-adopts running servers without
// restarting their containers, and stops (naming the change) those made under settings since changed.
const ADMIN = 'readopt-admin-token-0123456789abcd';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'readopt-'));
const prefix = `ro${crypto.randomBytes(3).toString('hex')}`;
let port = 0;
let child: ChildProcess | undefined;

function writeConfig(extraDocker: Record<string, unknown> = {}): string {
  const file = path.join(dataDir, 'config.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      port,
      dataDir,
      apiTokens: { [ADMIN]: 'boss' },
      auth: { adminUsers: ['boss'] },
      docker: { image: TEST_IMAGE, namePrefix: prefix, internalPort: 0, ...extraDocker },
    }),
  );
  return file;
}

async function startHub(config: string): Promise<void> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'e2e/fixtures/run-cli.ts', 'serve', '--config', config],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const err: string[] = [];
  proc.stderr?.on('data', (b: Buffer) => err.push(b.toString()));
  child = proc;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`hub exited: ${err.join('')}`);
    const up = await fetch(`http://localhost:${port}/hub/api`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`hub did not start: ${err.join('')}`);
}

function kill(signal: NodeJS.Signals): Promise<void> {
  const proc = child;
  // A process killed by a signal keeps exitCode null: look at signalCode too.
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

const api = (method: string, p: string, body?: unknown) =>
  fetch(`http://localhost:${port}${p}`, {
    method,
    headers: { authorization: `token ${ADMIN}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

async function started(name: string): Promise<{ id: string; startedAt: string }> {
  const info = await docker.getContainer(containerName(prefix, name)).inspect();
  return { id: info.Id, startedAt: info.State.StartedAt };
}

beforeAll(async () => {
  await requireDockerAndImage();
  port = await freePort();
});

afterAll(async () => {
  await kill('SIGTERM');
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { hubId: string };
  await removeHubResources(state.hubId);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('hub restart after kill -9', () => {
  it('re-adopts two running servers, reachable through the proxy, containers untouched', async () => {
    await startHub(writeConfig());
    expect((await api('POST', '/hub/api/users', { usernames: ['ann', 'bo'] })).status).toBe(201);
    for (const u of ['ann', 'bo']) expect((await api('POST', `/hub/api/users/${u}/server`)).status).toBe(201);
    const before = { ann: await started('ann'), bo: await started('bo') };

    await kill('SIGKILL');
    await startHub(writeConfig());
    for (const u of ['ann', 'bo'] as const) {
      const res = await fetch(`http://localhost:${port}/user/${u}/api`);
      expect(res.status).toBe(200);
      expect(await started(u)).toEqual(before[u]);
      const model = (await (await api('GET', `/hub/api/users/${u}`)).json()) as {
        servers: Record<string, { ready: boolean }>;
      };
      expect(model.servers['']?.ready).toBe(true);
    }
  });

  it('a server made under settings changed since is stopped with the change named; restarting keeps the files', async () => {
    const put = await fetch(`http://localhost:${port}/user/ann/api/contents/keep.txt`, {
      method: 'PUT',
      headers: { authorization: `token ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'file', format: 'text', content: 'kept across settings changes' }),
    });
    expect(put.status).toBe(201);

    await kill('SIGKILL');
    await startHub(writeConfig({ memLimit: '1G' }));
    const model = (await (await api('GET', '/hub/api/users/ann')).json()) as { servers: object };
    expect(model.servers).toEqual({});
    const db = new Database(path.join(dataDir, 'teamhub.sqlite'), { readonly: true });
    const event = db.prepare(`SELECT message FROM events WHERE kind = 'server-outdated'`).get() as {
      message: string;
    };
    db.close();
    expect(event.message).toContain('memLimit: null → "1G"');
    expect((await api('POST', '/hub/api/users/ann/server')).status).toBe(201);
    const info = await docker.getContainer(containerName(prefix, 'ann')).inspect();
    expect(info.HostConfig.Memory).toBe(1024 ** 3);
    const get = await fetch(`http://localhost:${port}/user/ann/api/contents/keep.txt`, {
      headers: { authorization: `token ${ADMIN}` },
    });
    expect(((await get.json()) as { content: string }).content).toBe('kept across settings changes');
  });
});

describe('a server that died while the hub was down', () => {
  it('is reported with its exit code after the restart', async () => {
    expect((await api('POST', '/hub/api/users/bo/server')).status).toBe(201);
    await kill('SIGKILL');
    await docker.getContainer(containerName(prefix, 'bo')).kill();
    await startHub(writeConfig({ memLimit: '1G' }));
    const db = new Database(path.join(dataDir, 'teamhub.sqlite'), { readonly: true });
    const row = db
      .prepare(
        `SELECT s.status, s.failure FROM servers s JOIN users u ON u.id = s.user_id WHERE u.name = 'bo'`,
      )
      .get() as { status: string; failure: string };
    db.close();
    expect(row.status).toBe('failed');
    expect(JSON.parse(row.failure)).toMatchObject({ exitCode: 137 });
  });
});
