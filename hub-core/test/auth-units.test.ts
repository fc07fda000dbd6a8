import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideAllow, normalizeUsername } from '../src/auth/allow.js';
import { DockerClient, dockerUnreachable } from '../src/spawner/docker-client.js';
import { Signer } from '../src/signing.js';

const auth = (o: Partial<{ allowedUsers: string[]; adminUsers: string[]; allowAll: boolean }>) => ({
  allowedUsers: [],
  adminUsers: [],
  allowAll: false,
  ...o,
});

describe('allow policy', () => {
  it('admits admins and listed users, case-insensitively, and nobody else by default', () => {
    expect(decideAllow('boss', auth({ adminUsers: ['Boss'] }))).toMatchObject({ allowed: true, admin: true });
    expect(decideAllow('ann', auth({ allowedUsers: ['ANN'] }))).toMatchObject({
      allowed: true,
      admin: false,
    });
    const refused = decideAllow('carol', auth({ adminUsers: ['boss'] }));
    expect(refused.allowed).toBe(false);
    expect(refused.rule).toContain('only admins can sign in');
    expect(decideAllow('carol', auth({ allowAll: true })).allowed).toBe(true);
    expect(normalizeUsername(' Grace ')).toBe('grace');
  });
});

describe('signed values', () => {
  it('round-trip, and reject tampering and expiry', () => {
    const s = new Signer(Buffer.alloc(32, 7));
    const v = s.sign({ a: 1 }, 60);
    expect(s.verify(v)).toEqual({ a: 1 });
    expect(s.verify(`${v.slice(0, -2)}xx`)).toBeUndefined();
    expect(new Signer(Buffer.alloc(32, 8)).verify(v)).toBeUndefined();
    expect(s.verify(s.sign('x', -1))).toBeUndefined();
    expect(s.verify('garbage')).toBeUndefined();
  });
});

describe('F08: Docker problems in one sentence', () => {
  const err = (code: string) => Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });
  it('permission denied names the socket and the docker group', () => {
    const e = dockerUnreachable('/var/run/docker.sock', err('EACCES'));
    expect(e.status).toBe(503);
    expect(e.message).toBe('Permission denied on the Docker socket /var/run/docker.sock.');
    expect(e.fix).toContain('docker group');
  });
  it('a missing socket or a silent one means Docker is not running', () => {
    expect(dockerUnreachable('/s', err('ENOENT')).message).toContain('Docker is not running');
    expect(dockerUnreachable('/s', err('ECONNREFUSED')).message).toContain('Docker is not running');
  });
});

describe('F08: an engine too old to use', () => {
  it('is one sentence naming the version, from a Docker API that answers like an old engine', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'old-docker-'));
    const socket = path.join(dir, 'docker.sock');
    // A fake Docker Engine API on a unix socket (the real engine is used everywhere else).
    const fake = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Version: '18.09.1', ApiVersion: '1.39' }));
    });
    await new Promise<void>((resolve) => fake.listen(socket, resolve));
    try {
      const status = await new DockerClient(socket).status();
      expect(status.ok).toBe(false);
      expect(status.problem?.message).toBe(
        `Docker 18.09.1 at ${socket} is too old (API 1.39; TeamHub needs 1.40 or newer).`,
      );
      await expect(new DockerClient(socket).ensureReachable()).rejects.toThrow('is too old');
    } finally {
      fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
