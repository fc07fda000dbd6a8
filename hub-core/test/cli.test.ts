import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestHub } from '../../e2e/fixtures/test-hub.js';

// `teamhub token` and `teamhub user …` against the same data dir, with the hub stopped and running.
function cli(dataDir: string, ...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'e2e/fixtures/run-cli.ts', ...args, '--data-dir', dataDir],
    {
      encoding: 'utf8',
      env: { ...process.env, TEAMHUB_DOCKER_SOCKET: '/nonexistent/docker.sock' },
    },
  );
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** A data folder a hub has run in once (the CLI refuses folders without a hub database). */
async function hubFolder(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-cli-'));
  const th = await startTestHub({ dataDir: dir, docker: { socketPath: '/nonexistent/docker.sock' } });
  await th.hub.stop();
  return dir;
}

// Each case runs the real CLI a dozen or more times as separate processes: slow on a busy machine.
describe('teamhub CLI', { timeout: 180_000 }, () => {
  it('manages users and mints tokens while the hub is stopped, which the hub then honours', async () => {
    const dir = await hubFolder();
    expect(cli(dir, 'user', 'add', 'Ada', 'ben').out).toBe('added ada\nadded ben');
    expect(cli(dir, 'user', 'admin', 'ada').code).toBe(0);
    expect(cli(dir, 'user', 'list').out).toBe('ada (admin)\nben');
    const token = cli(dir, 'token', 'ada', '--note', 'from the CLI');
    expect(token.code).toBe(0);
    expect(token.out).toMatch(/^[0-9a-f]{32}$/);

    const th = await startTestHub({ dataDir: dir, docker: { socketPath: '/nonexistent/docker.sock' } });
    try {
      const res = await fetch(`${th.base}/hub/api/users`, {
        headers: { authorization: `token ${token.out}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: string }[]).map((u) => u.name)).toEqual(['ada', 'ben']);

      // While the hub runs: a narrow token, and removing a user takes effect at once.
      const narrow = cli(dir, 'token', 'ben', '--scopes', 'read:users!user=ben', '--expires-in', '600');
      expect(narrow.code).toBe(0);
      const own = await fetch(`${th.base}/hub/api/users/ben`, {
        headers: { authorization: `token ${narrow.out}` },
      });
      expect(own.status).toBe(200);
      expect(cli(dir, 'user', 'remove', 'ben').code).toBe(0);
      const gone = await fetch(`${th.base}/hub/api/users/ben`, {
        headers: { authorization: `token ${token.out}` },
      });
      expect(gone.status).toBe(404);
      expect(
        (await fetch(`${th.base}/hub/api/user`, { headers: { authorization: `token ${narrow.out}` } }))
          .status,
      ).toBe(403);
    } finally {
      await th.hub.stop();
    }
  });

  it('says what is wrong, with exit code 2 for usage and 1 for the rest', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-cli-'));
    expect(cli(empty, 'user', 'list')).toMatchObject({
      code: 1,
      err: expect.stringContaining(`There is no TeamHub database in ${empty}.`),
    });
    expect(fs.readdirSync(empty)).toEqual([]);
    const dir = await hubFolder();
    expect(cli(dir, 'user', 'add', 'ok1', 'bad/', 'ok2')).toMatchObject({
      code: 2,
      err: expect.stringContaining('nothing was changed'),
    });
    expect(cli(dir, 'user', 'list').out).toBe('');
    expect(cli(dir, 'token', 'x', '--expires-in', '0').code).toBe(2);
    expect(cli(dir, 'token', 'x', '--bogus').err).toMatch(
      /^teamhub: Unknown option '--bogus'\. See teamhub --help\.$/,
    );
    expect(cli(dir, 'token', 'nobody')).toMatchObject({
      code: 1,
      err: 'teamhub: No such user: nobody (add one with: teamhub user add nobody).',
    });
    expect(cli(dir, 'token', 'x', '--expires-in', 'soon').code).toBe(2);
    expect(cli(dir, 'token', 'x', '--scopes', 'root').err).toContain('unknown scope "root"');
    expect(cli(dir, 'user', 'frobnicate', 'x').code).toBe(2);
    expect(cli(dir, 'user', 'add', 'a/b').err).toContain('Invalid username');
    expect(cli(dir, 'nonsense').code).toBe(2);
    expect(cli(dir, 'serve', '--port', 'eighty').err).toBe(
      'teamhub: Invalid setting port = "eighty" (from command line): expected number.',
    );
  });
});
