import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestHub } from '../../e2e/fixtures/test-hub.js';

// The README's REST example, run as written (against a test hub on its own port and data dir).
const root = new URL('../../', import.meta.url);
const run = promisify(execFile);

beforeAll(() => {
  // The example runs the built CLI: build it (incremental, quick when nothing changed).
  execFileSync('npm', ['run', 'build'], { cwd: root });
});

describe('README REST example', () => {
  it('gets a token, lists users and adds users with curl', async () => {
    const readme = fs.readFileSync(new URL('README.md', root), 'utf8');
    const block = /<!-- rest-example:start -->\s*```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeTruthy();
    const th = await startTestHub({
      auth: { adminUsers: ['your-login'] },
      docker: { socketPath: '/nonexistent/docker.sock' },
    });
    try {
      // One JSON answer per line, and asynchronously: the hub answering curl lives in this process.
      const script = (block ?? '')
        .replaceAll('http://localhost:8000', th.base)
        .replaceAll('\ncurl ', '\necho; curl ');
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          TEAMHUB_DATA_DIR: th.dataDir,
          TEAMHUB_DOCKER_SOCKET: '/nonexistent/docker.sock',
        },
      });
      const [list, added] = stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { name: string }[]);
      expect(list?.map((u) => u.name)).toEqual(['your-login']);
      expect(added?.map((u) => u.name)).toEqual(['ann', 'ben']);
    } finally {
      await th.stop();
    }
  });
});
