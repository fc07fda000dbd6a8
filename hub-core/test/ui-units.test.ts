import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { GithubProvider } from '../../e2e/fixtures/github-provider.js';
import { lanAddresses } from '../src/lan-sharing.js';
import { cpuPercent, memoryBytes } from '../src/ui/containers.js';
import { LineSplitter, parseLine } from '../src/ui/logs.js';
import { applySettings, lanUrls, patchedConfig, withSavedSettings } from '../src/ui/settings.js';
import { readSavedSettings, saveSettings, settingsFile } from '../src/ui/settings-file.js';

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-ui-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const config = (dataDir = tmp()) => loadConfig({ env: {}, overrides: { dataDir } });

describe('settings changed in the UI', () => {
  it('are validated with the config file rules and reported per field', () => {
    const c = config();
    expect(() => patchedConfig(c, { spawner: { memLimit: 'lots', image: 'Not An Image!' } })).toThrow(
      expect.objectContaining({
        status: 400,
        fields: {
          'spawner.image': expect.stringContaining('expected a Docker image reference'),
          'spawner.memLimit': expect.stringContaining('expected a size'),
        },
      }),
    );
    expect(() => patchedConfig(c, { access: { allowAll: 'yes' } })).toThrow(
      expect.objectContaining({ fields: { 'access.allowAll': expect.any(String) } }),
    );
    expect(() => patchedConfig(c, { docker: { socketPath: '/tmp/x' } })).toThrow(/not valid/);
  });

  it('apply in place at once, are saved, and win over the config file on the next start', () => {
    const c = config();
    applySettings(c, { access: { allowAll: true }, spawner: { memLimit: '2G', cpuLimit: 1.5 } });
    expect(c.auth.allowAll).toBe(true);
    expect(c.docker.memLimit).toBe('2G');
    applySettings(c, { spawner: { cpuLimit: null } });
    expect(c.docker.cpuLimit).toBeUndefined();
    expect(fs.statSync(settingsFile(c.dataDir)).mode & 0o777).toBe(0o600);
    const next = withSavedSettings(config(c.dataDir));
    expect(next.problem).toBeUndefined();
    expect(next.config.auth.allowAll).toBe(true);
    expect(next.config.docker.memLimit).toBe('2G');
    expect(next.config.docker.cpuLimit).toBeUndefined();
  });

  it('a damaged settings file is reported and ignored, never fatal', () => {
    const c = config();
    fs.writeFileSync(settingsFile(c.dataDir), '{ not json');
    const r = withSavedSettings(c);
    expect(r.problem).toContain('is not valid JSON');
    expect(r.config.auth.allowAll).toBe(false);
    // One bad value is left out, with its reason; the others still apply.
    fs.writeFileSync(
      settingsFile(c.dataDir),
      JSON.stringify({ spawner: { memLimit: '1k', cpuLimit: 2 }, access: { allowAll: true } }),
    );
    const partly = withSavedSettings(c);
    expect(partly.problem).toContain('The saved spawner.memLimit');
    expect(partly.config.docker).toMatchObject({ cpuLimit: 2 });
    expect(partly.config.docker.memLimit).toBeUndefined();
    expect(partly.config.auth.allowAll).toBe(true);
  });

  it('a hand edit the hub cannot use loses nothing: left out when read, kept when saving', () => {
    const c = config();
    const file = settingsFile(c.dataDir);
    const oidc = [{ id: 'a1', displayName: 'A1' }, 'oops'];
    fs.writeFileSync(
      file,
      JSON.stringify({
        _comment: 'mine',
        access: { allowedUsers: ['dave', 'erin'], allowAll: 'yes' },
        providers: { oidc },
      }),
    );
    const read = readSavedSettings(c.dataDir);
    expect(read.saved.access).toEqual({ allowedUsers: ['dave', 'erin'] });
    expect(read.saved.providers?.oidc).toEqual([oidc[0]]);
    expect(read.problem).toContain('"_comment" is not a setting');
    expect(read.problem).toContain('access.allowAll');
    saveSettings(c.dataDir, { spawner: { cpuLimit: 1 }, providers: { github: { clientId: 'x' } } });
    const after = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(after).toMatchObject({
      _comment: 'mine',
      access: { allowedUsers: ['dave', 'erin'], allowAll: 'yes' },
      spawner: { cpuLimit: 1 },
      providers: { oidc, github: { clientId: 'x' } },
    });
    // A file that is not JSON at all is kept beside the new one.
    fs.writeFileSync(file, '{ not json');
    saveSettings(c.dataDir, { spawner: { cpuLimit: 2 } });
    expect(fs.readFileSync(`${file}.damaged`, 'utf8')).toBe('{ not json');
  });
});

describe('LAN addresses for teammates', () => {
  const nics = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: '192.168.1.20', family: 'IPv4', internal: false },
      { address: 'fe80::1', family: 'IPv6', internal: false },
    ],
    docker0: [{ address: '172.17.0.1', family: 'IPv4', internal: false }],
  } as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;

  it('are the real interfaces’ IPv4 addresses, not loopback or Docker bridges', () => {
    expect(lanAddresses(nics)).toEqual(['192.168.1.20']);
  });

  it('teammate URLs: the shared listeners on loopback; every LAN address when bound to all', () => {
    const lan = lanAddresses(nics);
    expect(lanUrls('127.0.0.1', 8000, [], lan)).toEqual([]);
    expect(lanUrls('127.0.0.1', 8000, ['192.168.1.20'], lan)).toEqual(['http://192.168.1.20:8000/']);
    expect(lanUrls('0.0.0.0', 8000, [], lan)).toEqual(['http://192.168.1.20:8000/']);
    expect(lanUrls('192.168.1.20', 8001, [], lan)).toEqual(['http://192.168.1.20:8001/']);
  });
});

describe('container log lines', () => {
  it('split across chunks, with Docker timestamps parsed and CR dropped', () => {
    const s = new LineSplitter();
    expect(s.push('2026-12-04T10:00:00.123456789Z first\r\n2026-12-04T10:00:01Z sec')).toEqual([
      { ts: '2026-12-04T10:00:00.123456789Z', text: 'first' },
    ]);
    expect(s.push('ond\nno timestamp\n')).toEqual([
      { ts: '2026-12-04T10:00:01Z', text: 'second' },
      { ts: null, text: 'no timestamp' },
    ]);
    expect(s.push('tail')).toEqual([]);
    expect(s.flush()).toEqual([{ ts: null, text: 'tail' }]);
    expect(parseLine('2026-12-04T10:00:00Z ')).toEqual({ ts: '2026-12-04T10:00:00Z', text: '' });
  });
});

describe('container stats', () => {
  it('CPU and memory as docker stats computes them', () => {
    const stats = {
      cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 20_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 10_000_000 },
      memory_stats: { usage: 300, stats: { cache: 100 } },
    } as never;
    expect(cpuPercent(stats)).toBe(40);
    expect(memoryBytes(stats)).toBe(200);
    expect(cpuPercent({ cpu_stats: {}, precpu_stats: {} } as never)).toBeNull();
    expect(memoryBytes({ memory_stats: {} } as never)).toBeNull();
  });
});

describe('the sign-in check on the settings screen', () => {
  it('says when neither GitHub nor the callback answer, with the fixes', async () => {
    const { checkGithubLogin } = await import('../src/ui/login-check.js');
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const closed = `http://127.0.0.1:${port}`;
    const c = loadConfig({
      env: {},
      overrides: {
        dataDir: tmp(),
        auth: { github: { clientId: 'Ov23liX', clientSecret: 's', url: closed } },
      },
    });
    const checks = await checkGithubLogin(c, [`${closed}/hub/oauth_callback`]);
    expect(checks.map((x) => [x.name, x.ok])).toEqual([
      ['provider', false],
      [`callback ${closed}/hub/oauth_callback`, false],
    ]);
    expect(checks[0]?.message).toMatch(new RegExp(`^GitHub does not answer at ${closed}: .*ECONNREFUSED`));
    expect(checks[1]?.fix).toContain('/hub/oauth_callback');
  });

  it('tells a mistyped Client ID, a wrong secret and a wrong API address apart', async () => {
    const { checkGithubLogin } = await import('../src/ui/login-check.js');
    const app = { clientId: 'Ov23liCheck1', clientSecret: 'check-secret' };
    const gh = await new GithubProvider({
      ...app,
      callbackUrl: 'http://localhost:1/hub/oauth_callback',
    }).start();
    try {
      const provider = async (github: Record<string, unknown>) => {
        const c = loadConfig({ env: {}, overrides: { dataDir: tmp(), auth: { github } } });
        return (await checkGithubLogin(c, []))[0];
      };
      const good = { ...app, url: gh.url, apiUrl: gh.apiUrl };
      expect(await provider(good)).toMatchObject({
        ok: true,
        message: expect.stringContaining('accepts the Client ID and secret'),
      });
      expect(await provider({ ...good, clientId: 'Ov23liCheckl' })).toMatchObject({
        ok: false,
        message: expect.stringContaining('does not know the Client ID Ov23liCheckl'),
      });
      expect(await provider({ ...good, clientSecret: 'old-secret' })).toMatchObject({
        ok: false,
        message: expect.stringContaining('refused the client secret'),
      });
      expect(await provider({ ...good, apiUrl: `${gh.url}/` })).toMatchObject({
        ok: false,
        message: expect.stringContaining(`There is no GitHub API at ${gh.url}/`),
        fix: expect.stringContaining('/api/v3'),
      });
    } finally {
      await gh.stop();
    }
  });

  it('a GitHub Enterprise address without an API address gets <address>/api/v3, never github.com’s API', () => {
    const withUrl = (github: Record<string, unknown>) =>
      loadConfig({
        env: {},
        overrides: {
          dataDir: tmp(),
          auth: { github: { clientId: 'Ov23liX', clientSecret: 's', ...github } },
        },
      });
    expect(withUrl({ url: 'https://ghe.example.org/' }).auth.github?.apiUrl).toBe(
      'https://ghe.example.org/api/v3',
    );
    expect(withUrl({}).auth.github?.apiUrl).toBe('https://api.github.com');
    expect(() => withUrl({ url: 'https://ghe.example.org', apiUrl: 'https://api.github.com' })).toThrow(
      /auth\.github\.apiUrl.*https:\/\/ghe\.example\.org\/api\/v3/,
    );
  });
});
