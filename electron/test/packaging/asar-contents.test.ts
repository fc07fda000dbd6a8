import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as asar from '@electron/asar';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeStandInElectronDist, readFuses } from './stand-in-electron.js';

// Packages the app the way `npm run dist` does, for the Linux 'dir' target, with electron-builder
// pointed at a stand-in Electron dist; then looks inside the produced app.asar.
const root = path.resolve(import.meta.dirname, '../../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-dist-'));
const out = path.join(work, 'out');
const unpacked = path.join(out, 'linux-unpacked');
const asarFile = path.join(unpacked, 'resources', 'app.asar');
let entries: string[] = [];

beforeAll(() => {
  // Packs what `npm run build` made (CI and `npm test` build before running tests; building here too
  // would race the other test files that build).
  for (const built of ['dist/hub-core/src/hub.js', 'dist/electron/src/main.js', 'renderer/dist/index.html'])
    if (!fs.existsSync(path.join(root, built)))
      throw new Error(`${built} is missing: run npm run build first.`);
  const electronDist = makeStandInElectronDist(path.join(work, 'electron-dist'));
  execFileSync(
    path.join(root, 'node_modules', '.bin', 'electron-builder'),
    [
      '--linux',
      'dir',
      '--config',
      'electron-builder.yml',
      `-c.electronDist=${electronDist}`,
      `-c.directories.output=${out}`,
      // Rebuilding native modules needs Electron's headers from the network; `npm run dist` does it.
      '-c.npmRebuild=false',
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
  );
  entries = asar.listPackage(asarFile, { isPack: false });
});

const own = () => entries.filter((e) => !e.startsWith('/node_modules/'));

describe('the packaged app.asar', () => {
  it("holds hub-core's compiled code, the Electron main and preload, the renderer build and the icons", () => {
    for (const f of [
      '/package.json',
      '/dist/hub-core/src/hub.js',
      '/dist/hub-core/src/cli.js',
      '/dist/hub-core/src/secret-store.js',
      '/dist/electron/src/main.js',
      '/dist/electron/src/preload.cjs',
      '/renderer/dist/index.html',
      '/assets/icon.png',
      '/assets/tray.png',
    ])
      expect(entries, f).toContain(f);
    expect(entries.some((e) => e.startsWith('/renderer/dist/static/'))).toBe(true);
  });

  it('starts at the compiled Electron entry, and every relative import in it resolves inside the asar', () => {
    const pkg = JSON.parse(asar.extractFile(asarFile, 'package.json').toString()) as { main: string };
    expect(pkg.main).toBe('dist/electron/src/main.js');
    const missing: string[] = [];
    for (const file of own().filter((e) => /\.(c?js)$/.test(e) && e.startsWith('/dist/'))) {
      const code = asar.extractFile(asarFile, file.slice(1)).toString();
      for (const m of code.matchAll(/(?:from\s+|import\(|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = path.posix.join(path.posix.dirname(file), m[1]!);
        if (!entries.includes(target)) missing.push(`${file} → ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('carries the runtime dependencies, native modules unpacked beside it', () => {
    for (const dep of ['better-sqlite3', 'express', 'dockerode', 'openid-client', 'zod', 'http-proxy-3'])
      expect(entries, dep).toContain(`/node_modules/${dep}/package.json`);
    const native = path.join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3');
    expect(fs.existsSync(path.join(native, 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
  });

  it('holds no sources, tests, e2e, bench, source maps or dev tools', () => {
    const devFiles = entries.filter(
      (e) =>
        (/\.(ts|tsx|map)$/.test(e) && !e.endsWith('.d.ts')) ||
        /^\/(hub-core|electron|e2e|bench|docs|scripts|\.ci)(\/|$)/.test(e) ||
        /^\/renderer\/(src|test)(\/|$)/.test(e) ||
        /\/(test|tests|__tests__|e2e|bench)\//.test(e.replace(/^\/node_modules\/.*\/node_modules\//, '/')),
    );
    expect(devFiles).toEqual([]);
    for (const dev of [
      'electron',
      'electron-builder',
      'vitest',
      'typescript',
      'playwright-core',
      'vite',
      'eslint',
    ])
      expect(entries, dev).not.toContain(`/node_modules/${dev}/package.json`);
  });

  it('has its Electron fuses flipped: no run-as-Node, no NODE_OPTIONS, no --inspect, app only from the asar', () => {
    const fuses = readFuses(path.join(unpacked, 'teamhub-desktop'));
    expect(fuses).toMatchObject({
      RunAsNode: '0',
      EnableNodeOptionsEnvironmentVariable: '0',
      EnableNodeCliInspectArguments: '0',
      OnlyLoadAppFromAsar: '1',
      EnableCookieEncryption: '1',
      GrantFileProtocolExtraPrivileges: '0',
    });
  });
});
