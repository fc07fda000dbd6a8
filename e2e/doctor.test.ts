import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireDockerAndImage } from './fixtures/docker.js';
import { TEST_IMAGE, freePort } from './fixtures/test-hub.js';

// `teamhub doctor` explains every missing piece in plain words, and passes on a working machine.
interface Check {
  name: string;
  ok: boolean;
  message: string;
  fix?: string;
}

function doctor(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'e2e/fixtures/run-cli.ts', 'doctor', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(requireDockerAndImage);

describe('teamhub doctor', () => {
  it('passes the Docker, image and address checks on this machine', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
    const r = doctor(
      {
        TEAMHUB_DATA_DIR: dir,
        TEAMHUB_PORT: String(await freePort()),
        TEAMHUB_IMAGE: TEST_IMAGE,
        TEAMHUB_GITHUB_CLIENT_ID: 'Ov23liDoctor',
        TEAMHUB_GITHUB_CLIENT_SECRET: 'doctor-secret',
        TEAMHUB_ADMIN_USERS: 'me',
        TEAMHUB_INTERNAL_PORT: '0',
      },
      '--json',
    );
    const checks = JSON.parse(r.out) as Check[];
    expect(checks.map((c) => `${c.name}:${c.ok}`)).toEqual([
      'data-dir:true',
      'port:true',
      'docker:true',
      'image:true',
      'hub-from-container:true',
      'container-from-hub:true',
      'notebook-dir:true',
      'binds:true',
      'github:true',
    ]);
    expect(r.code).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });

  it('reports each failure of a broken setup with a sentence and a fix, and exits 1', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-')), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const r = doctor({ TEAMHUB_DATA_DIR: file, TEAMHUB_DOCKER_SOCKET: '/nonexistent/docker.sock' });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `FAIL data-dir: Cannot use ${file} as the data folder: a file with that name is in the way.`,
    );
    expect(r.out).toContain(
      'FAIL docker: Docker is not running: there is no socket at /nonexistent/docker.sock.',
    );
    expect(r.out).toContain(
      'skip github: GitHub sign-in is not set up; people sign in with password accounts.',
    );
    expect(r.out).toContain('skip image: Skipped: Docker is not reachable.');
    expect(r.out.match(/fix: /g)?.length).toBe(2);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('counts the sign-in settings saved from the settings screen, as the hub will', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
    const github = { clientId: 'Ov23liSaved', allowedOrganizations: ['acme'] };
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ providers: { github } }));
    const r = doctor({ TEAMHUB_DATA_DIR: dir, TEAMHUB_DOCKER_SOCKET: '/nonexistent/docker.sock' }, '--json');
    const checks = JSON.parse(r.out) as (Check & { status: string })[];
    // The organization rule lets people in: no "no rule lets anyone in" failure.
    expect(checks.find((c) => c.name === 'github')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('GitHub sign-in is set up'),
    });
    fs.rmSync(dir, { recursive: true });
  });

  it('answers JSON even when the settings themselves are wrong', () => {
    const r = doctor({ TEAMHUB_PORT: 'eighty' }, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual([
      expect.objectContaining({
        name: 'config',
        ok: false,
        message: 'Invalid setting port = "eighty" (from TEAMHUB_PORT): expected number.',
      }),
    ]);
  });

  it('fails a notebook folder missing from the image, and creates no data folder while looking', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-')), 'not-yet');
    const config = path.join(path.dirname(dir), 'c.json');
    fs.writeFileSync(
      config,
      JSON.stringify({ docker: { image: TEST_IMAGE, notebookDir: '/srv/assignments' } }),
    );
    const r = doctor(
      { TEAMHUB_DATA_DIR: dir, TEAMHUB_PORT: String(await freePort()), TEAMHUB_INTERNAL_PORT: '0' },
      '--config',
      config,
      '--json',
    );
    const checks = JSON.parse(r.out) as Check[];
    expect(checks.find((c) => c.name === 'notebook-dir')).toMatchObject({
      ok: false,
      message: `The notebook folder /srv/assignments (setting docker.notebookDir) does not exist in the image ${TEST_IMAGE}.`,
    });
    expect(checks.find((c) => c.name === 'data-dir')?.message).toContain('does not exist yet');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('names a missing image and a callback URL on the wrong port', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
    const r = doctor(
      {
        TEAMHUB_DATA_DIR: dir,
        TEAMHUB_PORT: '8000',
        TEAMHUB_IMAGE: 'teamhub/does-not-exist:1',
        TEAMHUB_GITHUB_CLIENT_ID: 'Ov23liDoctor',
        TEAMHUB_GITHUB_CLIENT_SECRET: 's',
        TEAMHUB_GITHUB_CALLBACK_URL: 'http://localhost:9999/hub/oauth_callback',
        TEAMHUB_ADMIN_USERS: 'me',
      },
      '--json',
    );
    const checks = JSON.parse(r.out) as Check[];
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName.image?.message).toBe(
      'The single-user image teamhub/does-not-exist:1 is not on this machine.',
    );
    expect(byName.github?.message).toContain('points at port 9999, but the hub listens on 8000');
    expect(r.code).toBe(1);
    fs.rmSync(dir, { recursive: true });
  });
});
