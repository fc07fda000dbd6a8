import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { parseSize } from '../src/config/schema.js';
import { HubError } from '../src/errors.js';

function errorOf(fn: () => unknown): HubError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('expected a HubError');
}

describe('config', () => {
  it('has working defaults: loopback, port 8000, the built test image', () => {
    const c = loadConfig({ env: {} });
    expect(c.ip).toBe('127.0.0.1');
    expect(c.port).toBe(8000);
    expect(c.docker.image).toBe('teamhub/singleuser:bookworm');
    expect(c.auth.allowAll).toBe(false);
    expect(c.auth.github).toBeUndefined();
  });

  it('layers file < env < flags', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ port: 9000, ip: '127.0.0.2', docker: { image: 'from-file' } }));
    const c = loadConfig({
      file,
      env: { TEAMHUB_PORT: '9100', TEAMHUB_IMAGE: 'from-env' },
      flags: { port: 9200 },
    });
    expect(c.port).toBe(9200);
    expect(c.ip).toBe('127.0.0.2');
    expect(c.docker.image).toBe('from-env');
  });

  it('names key, value, what is allowed and where it came from', () => {
    const e = errorOf(() => loadConfig({ env: { TEAMHUB_PORT: 'eighty' } }));
    expect(e.message).toBe('Invalid setting port = "eighty" (from TEAMHUB_PORT): expected number.');
    const range = errorOf(() => loadConfig({ env: {}, flags: { port: 70000 } }));
    expect(range.message).toMatch(/^Invalid setting port = 70000 \(from command line\): .*65535/);
    const size = errorOf(() => loadConfig({ env: { TEAMHUB_MEM_LIMIT: 'lots' } }));
    expect(size.message).toContain('docker.memLimit = "lots"');
    expect(size.message).toContain('512M');
  });

  it('rejects unknown keys instead of ignoring a typo', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ docker: { imgae: 'x' } }));
    expect(errorOf(() => loadConfig({ file, env: {} })).message).toContain('Unknown setting docker.imgae');
  });

  it('explains unreadable and non-JSON files', () => {
    expect(errorOf(() => loadConfig({ file: '/nonexistent/teamhub.json', env: {} })).message).toContain(
      'Cannot read',
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, '{ port: 1 ');
    expect(errorOf(() => loadConfig({ file, env: {} })).message).toContain('is not valid JSON');
  });

  // F02 input A: a client id that is empty, blank or wrapped in quotes never reaches a GitHub URL.
  it.each(['', '   ', '"Ov23liABC"', "'Ov23liABC'", 'Ov23li ABC'])(
    'F02: rejects the GitHub client id %j',
    (id) => {
      const e = errorOf(() =>
        loadConfig({ env: { TEAMHUB_GITHUB_CLIENT_ID: id, TEAMHUB_GITHUB_CLIENT_SECRET: 'secret' } }),
      );
      expect(e.message).toContain('auth.github.clientId');
      expect(e.message).toContain('TEAMHUB_GITHUB_CLIENT_ID');
    },
  );

  it('reads lists and booleans from env', () => {
    const c = loadConfig({ env: { TEAMHUB_ALLOWED_USERS: 'a, b,,c', TEAMHUB_ALLOW_ALL: 'yes' } });
    expect(c.auth.allowedUsers).toEqual(['a', 'b', 'c']);
    expect(c.auth.allowAll).toBe(true);
    expect(errorOf(() => loadConfig({ env: { TEAMHUB_ALLOW_ALL: 'maybe' } })).message).toContain(
      'auth.allowAll',
    );
  });

  it('parses sizes', () => {
    expect(parseSize('512M')).toBe(512 * 1024 ** 2);
    expect(parseSize('2g')).toBe(2 * 1024 ** 3);
    expect(parseSize('1.5G')).toBe(Math.round(1.5 * 1024 ** 3));
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('two')).toBeUndefined();
  });
});

describe('config: what the fresh-user trial found', () => {
  const errorFor = (env: Record<string, string>) => errorOf(() => loadConfig({ env })).message;

  it('numbers are plain decimals', () => {
    expect(errorFor({ TEAMHUB_PORT: '0x1F40' })).toContain('port = "0x1F40"');
    expect(errorFor({ TEAMHUB_PORT: '1e3' })).toContain('port = "1e3"');
  });

  it('checks addresses, image references and memory at start, not at the first spawn', () => {
    expect(errorFor({ TEAMHUB_IP: 'not an ip' })).toContain('expected an IP address');
    expect(errorFor({ TEAMHUB_HUB_CONNECT_IP: 'garbage' })).toContain('"auto" or an IP address');
    expect(errorFor({ TEAMHUB_IMAGE: 'UPPER case' })).toContain('Docker image reference');
    expect(errorFor({ TEAMHUB_MEM_LIMIT: '1K' })).toContain('at least 6M');
    expect(errorFor({ TEAMHUB_MEM_LIMIT: '0' })).toContain('leave it out for no limit');
    expect(
      loadConfig({ env: { TEAMHUB_IMAGE: 'quay.io/jupyter/base-notebook:2025-01-01' } }).docker.image,
    ).toBe('quay.io/jupyter/base-notebook:2025-01-01');
  });

  it('names a missing companion setting', () => {
    expect(errorFor({ TEAMHUB_GITHUB_CLIENT_ID: 'Ov23liabc' })).toBe(
      'Missing setting auth.github.clientSecret (needed when auth.github is set): expected string, received undefined.',
    );
  });

  it('reads a file with a byte-order mark and refuses __proto__ keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const bom = path.join(dir, 'bom.json');
    fs.writeFileSync(bom, '\uFEFF{"port": 8123}');
    expect(loadConfig({ file: bom, env: {} }).port).toBe(8123);
    const proto = path.join(dir, 'proto.json');
    fs.writeFileSync(proto, '{"__proto__": {"port": 1}}');
    expect(errorOf(() => loadConfig({ file: proto, env: {} })).message).toContain('"__proto__"');
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects URLs with spaces', () => {
    expect(
      errorFor({
        TEAMHUB_GITHUB_CLIENT_ID: 'a',
        TEAMHUB_GITHUB_CLIENT_SECRET: 'b',
        TEAMHUB_GITHUB_URL: 'https://x y',
      }),
    ).toContain('auth.github.url');
  });
});
