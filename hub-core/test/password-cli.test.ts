import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Browserless } from '../../e2e/fixtures/http-client.js';
import { startTestHub } from '../../e2e/fixtures/test-hub.js';

// `teamhub user password NAME [--admin]`: the owner's first admin account and an admin's reset, from
// the command line, then honoured by the hub's password sign-in.
function cli(dataDir: string, input: string, ...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'e2e/fixtures/run-cli.ts', ...args, '--data-dir', dataDir],
    { encoding: 'utf8', input, env: { ...process.env, TEAMHUB_DOCKER_SOCKET: '/nonexistent/docker.sock' } },
  );
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

async function signIn(base: string, username: string, password: string): Promise<number> {
  const client = new Browserless(base);
  const html = await (await client.request('/hub/login')).text();
  const xsrf = /name="_xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const res = await client.request('/hub/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _xsrf: xsrf, username, password }).toString(),
  });
  return res.status;
}

describe('teamhub user password', () => {
  it('creates the owner as admin, resets a password, refuses short ones; the hub honours each', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-pwcli-'));
    const settings = {
      dataDir: dir,
      auth: { local: { enabled: true } },
      docker: { socketPath: '/nonexistent/docker.sock' },
    };
    const first = await startTestHub(settings);
    await first.hub.stop();
    expect(cli(dir, 'owner-pass-1\n', 'user', 'password', 'Owner', '--admin')).toMatchObject({
      code: 0,
      out: "added owner (admin) with a password; they sign in on the hub's sign-in page",
    });
    expect(cli(dir, 'short\n', 'user', 'password', 'owner')).toMatchObject({
      code: 2,
      err: expect.stringContaining('at least 8 characters'),
    });
    expect(cli(dir, '', 'user', 'password', 'owner').err).toContain('No password on standard input');
    expect(cli(dir, 'x\n', 'user', 'password', 'a/b').code).toBe(2);
    const th = await startTestHub(settings);
    try {
      expect(th.hub.context.store.getUser('owner')?.admin).toBe(true);
      expect(await signIn(th.base, 'owner', 'owner-pass-1')).toBe(302);
      expect(cli(dir, 'owner-pass-2\n', 'user', 'password', 'owner').out).toContain('password of owner set');
      expect(await signIn(th.base, 'owner', 'owner-pass-1')).toBe(401);
      expect(await signIn(th.base, 'owner', 'owner-pass-2')).toBe(302);
    } finally {
      await th.stop();
    }
  });
});
