import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../e2e/fixtures/test-hub.js';

// Launches the real app with Playwright where an Electron binary is installed. On machines where it
// cannot be downloaded (npm never runs electron's postinstall here, see README) this is the one test
// of the project that skips, and it says why.
const root = path.resolve(import.meta.dirname, '../../..');

function electronBinary(): { path?: string; reason?: string } {
  try {
    // The electron package exports the path of its binary, and throws when it was never downloaded.
    const binary = createRequire(import.meta.url)('electron') as string;
    return fs.existsSync(binary) ? { path: binary } : { reason: `${binary} does not exist` };
  } catch (err) {
    return { reason: (err as Error).message };
  }
}

const electron = electronBinary();
if (!electron.path)
  console.log(
    `electron launch test skipped: no Electron binary (${electron.reason}). ` +
      'Install it with `node node_modules/electron/install.js` where it can be downloaded.',
  );

/**
 * An app folder for Electron beside the repository: the build copied, the dependencies linked in except
 * better-sqlite3, copied and rebuilt for Electron's ABI (the repository's copy stays built for Node,
 * which the headless hub and the other tests use).
 */
function stageApp(dir: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    main: string;
    dependencies: Record<string, string>;
  };
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'renderer'));
  // Copied, not linked: Node resolves imports from a module's real path, and hub-core must find the
  // rebuilt better-sqlite3 here rather than the repository's.
  for (const f of ['dist', 'assets', path.join('renderer', 'dist')])
    fs.cpSync(path.join(root, f), path.join(dir, f), { recursive: true });
  for (const dep of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (dep === 'better-sqlite3' || dep.startsWith('.')) continue;
    fs.symlinkSync(path.join(root, 'node_modules', dep), path.join(dir, 'node_modules', dep));
  }
  fs.cpSync(
    path.join(root, 'node_modules', 'better-sqlite3'),
    path.join(dir, 'node_modules', 'better-sqlite3'),
    {
      recursive: true,
    },
  );
  const electronVersion = (
    JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: pkg.name,
      version: pkg.version,
      type: 'module',
      main: pkg.main,
      dependencies: { 'better-sqlite3': pkg.dependencies['better-sqlite3'] },
      devDependencies: { electron: electronVersion },
    }),
  );
  execFileSync(path.join(root, 'node_modules', '.bin', 'electron-builder'), ['install-app-deps'], {
    cwd: dir,
    stdio: 'inherit',
  });
  return dir;
}

describe('the desktop app', () => {
  it.skipIf(!electron.path)(
    'opens one window on the hub, with the narrow bridge and nothing of Node in the page',
    async () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-launch-'));
      const port = await freePort();
      // The build `npm run build` made (see asar-contents.test.ts).
      expect(fs.existsSync(path.join(root, 'dist', 'electron', 'src', 'main.js'))).toBe(true);
      const appDir = stageApp(path.join(home, 'app'));
      const app = await _electron.launch({
        executablePath: electron.path!,
        args: ['--no-sandbox', appDir],
        cwd: appDir,
        env: {
          ...process.env,
          HOME: home,
          XDG_CONFIG_HOME: path.join(home, 'config'),
          TEAMHUB_DATA_DIR: path.join(home, 'data'),
          TEAMHUB_PORT: String(port),
        },
      });
      try {
        const page = await app.firstWindow();
        await page.waitForURL(`http://127.0.0.1:${port}/hub/**`, { timeout: 60_000 });
        const bridge = await page.evaluate(() => {
          const w = window as unknown as Record<string, unknown>;
          return {
            keys: Object.keys((w.teamhubDesktop ?? {}) as object).sort(),
            node: typeof w.require,
            process: typeof w.process,
          };
        });
        expect(bridge).toEqual({
          keys: ['appInfo', 'copyToClipboard', 'openExternal', 'secretsStatus'],
          node: 'undefined',
          process: 'undefined',
        });
        const info = await page.evaluate(() =>
          (
            window as unknown as { teamhubDesktop: { appInfo(): Promise<{ hubUrl: string }> } }
          ).teamhubDesktop.appInfo(),
        );
        expect(info.hubUrl).toBe(`http://127.0.0.1:${port}/hub/`);
        expect(app.windows()).toHaveLength(1);
      } finally {
        await app.close();
      }
    },
  );
});
