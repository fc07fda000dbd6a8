import { describe, expect, it } from 'vitest';
import { decideAllow, normalizeUsername } from '../src/auth/allow.js';
import { dockerUnreachable } from '../src/spawner/docker-client.js';
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
