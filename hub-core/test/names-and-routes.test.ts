import { describe, expect, it } from 'vitest';
import { canonicalPrefix } from '../src/proxy/proxy.js';
import { RouteTable, canonicalPath } from '../src/proxy/routes.js';
import { containerName, escapeForDocker, serverPrefix, volumeName } from '../src/spawner/names.js';
import { firstHostAddress, hubAddressCandidates } from '../src/network.js';
import { safeNext } from '../src/http/next-url.js';
import { demuxLogs } from '../src/spawner/docker-client.js';

describe('docker names', () => {
  it('escape everything outside [a-z0-9] injectively', () => {
    expect(escapeForDocker('alice')).toBe('alice');
    expect(escapeForDocker('Alice')).toBe('-41lice');
    expect(escapeForDocker('a-b')).toBe('a-2db');
    expect(escapeForDocker('x@y.org')).toBe('x-40y-2eorg');
    const names = [
      'Alice.Smith@example.org',
      'alice.smith@example.org',
      'ALICE',
      'alice',
      '_svc',
      'zoë',
      'a'.repeat(80),
    ];
    const escaped = names.map((n) => containerName('teamhub', n));
    expect(new Set(escaped).size).toBe(names.length);
    for (const n of [...escaped, ...names.map((n) => volumeName('teamhub', n))])
      expect(n).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
  });

  it('build JupyterHub-style prefixes', () => {
    expect(serverPrefix('alice')).toBe('/user/alice/');
    expect(serverPrefix('a@b', 'nb 2')).toBe('/user/a@b/nb%202/');
  });
});

describe('route table', () => {
  it('matches whole segments, longest prefix first', () => {
    const t = new RouteTable();
    t.add({ prefix: '/user/al/', target: 'http://a', user: 'al', server: '' });
    t.add({ prefix: '/user/alice/', target: 'http://b', user: 'alice', server: '' });
    t.add({ prefix: '/user/alice/nb/', target: 'http://c', user: 'alice', server: 'nb' });
    expect(t.lookup('/user/alice/tree?x=1')?.target).toBe('http://b');
    expect(t.lookup('/user/alice')?.target).toBe('http://b');
    expect(t.lookup('/user/alice/nb/lab')?.target).toBe('http://c');
    expect(t.lookup('/user/alicex/')).toBeUndefined();
    expect(t.lookup('/hub/home')).toBeUndefined();
    t.remove('/user/alice/');
    expect(t.lookup('/user/alice/tree')).toBeUndefined();
  });

  it('treats %40 and @ alike', () => {
    const t = new RouteTable();
    t.add({ prefix: serverPrefix('a@b.org'), target: 'http://x', user: 'a@b.org', server: '' });
    expect(t.lookup('/user/a%40b.org/tree')?.target).toBe('http://x');
    expect(t.lookup('/user/a@b.org/tree')?.target).toBe('http://x');
    expect(canonicalPath('/user/%E0%A4%A/x')).toBe('/user/%25E0%25A4%25A/x');
  });
});

describe('small helpers', () => {
  it('firstHostAddress', () => {
    expect(firstHostAddress('172.17.0.0/16')).toBe('172.17.0.1');
    expect(firstHostAddress('10.1.2.0/24')).toBe('10.1.2.1');
    expect(firstHostAddress('fe80::/64')).toBeUndefined();
  });

  it('safeNext keeps only same-hub paths', () => {
    expect(safeNext('/user/alice/tree?x=1')).toBe('/user/alice/tree?x=1');
    for (const bad of ['//evil.com/x', 'https://evil.com/', '/\\evil.com', 'evil', '', 42, '/a\nb']) {
      expect(safeNext(bad)).toBe('/hub/home');
    }
  });

  it('demuxLogs splits Docker frames and passes TTY text through', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
    expect(demuxLogs(Buffer.from('plain tty text\n'))).toBe('plain tty text\n');
  });
});

describe('canonical prefixes for the single-user server', () => {
  it('respells only the route part', () => {
    const route = { prefix: '/user/a@b.org/', target: 'http://x', user: 'a@b.org', server: '' };
    expect(canonicalPrefix('/user/a%40b.org/api/contents/x%2Fy?z=%40', route)).toBe(
      '/user/a@b.org/api/contents/x%2Fy?z=%40',
    );
    expect(canonicalPrefix('/user/a@b.org', route)).toBe('/user/a@b.org/');
    expect(canonicalPrefix('/user/a%40b.org/', route)).toBe('/user/a@b.org/');
  });
});

describe('where the hub listens for containers (F10 decision logic)', () => {
  const bridge = [{ Subnet: '172.17.0.0/16' }];
  it('a Linux Docker host: the bridge gateway, found from the subnet when the engine reports none', () => {
    expect(hubAddressCandidates('Debian GNU/Linux 12 (bookworm)', bridge)).toEqual([
      { bind: '172.17.0.1', advertise: '172.17.0.1' },
    ]);
    expect(hubAddressCandidates('Ubuntu 24.04', [{ Gateway: '10.9.0.1', Subnet: '10.9.0.0/24' }])).toEqual([
      { bind: '10.9.0.1', advertise: '10.9.0.1' },
    ]);
  });

  it('Docker Desktop: loopback on the host, host.docker.internal for containers, tried first', () => {
    expect(hubAddressCandidates('Docker Desktop', bridge)[0]).toEqual({
      bind: '127.0.0.1',
      advertise: 'host.docker.internal',
    });
  });

  it('never all interfaces, never IPv6 link addresses', () => {
    const all = hubAddressCandidates('Docker Desktop', [
      { Gateway: 'fe80::1', Subnet: 'fd00::/64' },
      ...bridge,
    ]);
    expect(all.map((c) => c.bind)).not.toContain('0.0.0.0');
    expect(all.every((c) => !c.bind.includes(':'))).toBe(true);
  });
});
