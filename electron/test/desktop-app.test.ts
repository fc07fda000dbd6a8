import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SecretStore } from '../../hub-core/src/secrets.js';
import { type DesktopDeps, type DesktopHub, runDesktop } from '../src/desktop-app.js';
import { pageText } from '../src/screens.js';
import * as fake from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));

const HUB_URL = 'http://127.0.0.1:8123/hub/';

interface Knobs {
  lanUrl?: string | null;
  settingsError?: Error;
  startError?: Error;
  running?: number;
}

function fakeHub(knobs: Knobs, stops: { stopServers: boolean }[]): DesktopHub {
  return {
    publicUrl: HUB_URL,
    start: async () => {
      fake.calls.push('hub.start');
      if (knobs.startError) throw knobs.startError;
    },
    stop: async (o) => {
      fake.calls.push(`hub.stop stopServers=${o.stopServers}`);
      stops.push(o);
    },
    runningServers: () => knobs.running ?? 0,
    lanUrl: () => knobs.lanUrl ?? null,
    onShutdownRequest: () => undefined,
  };
}

function deps(knobs: Knobs, stops: { stopServers: boolean }[] = []): DesktopDeps {
  const values = new Map<string, string>();
  const store: SecretStore = {
    kind: 'safeStorage',
    description: 'a test store',
    get: async (n) => values.get(n),
    set: async (n, v) => void values.set(n, v),
    delete: async (n) => void values.delete(n),
  };
  return {
    loadSettings: async () => {
      fake.calls.push('loadSettings');
      if (knobs.settingsError) throw knobs.settingsError;
      return { config: { dataDir: path.join(fake.app.userData, 'data'), auth: {} }, store, notices: [] };
    },
    loadSecrets: async () => {
      fake.calls.push('loadSecrets');
      return { secrets: { cookieSecret: Buffer.alloc(32) }, notices: [] };
    },
    createHub: () => fakeHub(knobs, stops),
    diagnose: async () => [
      {
        message: 'docker: Docker does not answer on /var/run/docker.sock.',
        fix: 'Start Docker Desktop or the docker service.',
      },
    ],
    waitForHub: async (url) => void fake.calls.push(`waitForHub ${url}`),
    describeError: (err) => ({ message: (err as Error).message, fix: (err as { fix?: string }).fix }),
    preloadPath: '/app/dist/electron/src/preload.cjs',
    iconPath: '/app/assets/icon.png',
    trayIconPath: '/app/assets/tray.png',
    log: () => undefined,
  };
}

const trayLabels = () => (fake.Tray.instances[0]?.menu?.template ?? []).map((i) => i.label);
const trayItem = (label: string) =>
  fake.Tray.instances[0]?.menu?.template.find((i) => i.label?.startsWith(label));
const settingsFile = () => path.join(fake.app.userData, 'desktop-settings.json');

beforeEach(() => fake.resetFake());

describe('startup', () => {
  it('takes the single-instance lock, then readies Electron, shows the splash, and only then starts the hub', async () => {
    await runDesktop(deps({}));
    const order = (step: string) => fake.calls.findIndex((c) => c.startsWith(step));
    const steps = [
      'app.requestSingleInstanceLock',
      'app.whenReady',
      'session.setPermissionRequestHandler',
      'ipcMain.handle',
      'new Tray',
      'loadURL data:',
      'loadSettings',
      'loadSecrets',
      'hub.start',
      `waitForHub ${HUB_URL}`,
      `loadURL ${HUB_URL}`,
    ];
    for (const s of steps)
      expect(order(s), `${s} missing from ${fake.calls.join(', ')}`).toBeGreaterThanOrEqual(0);
    expect(steps.map(order)).toEqual([...steps.map(order)].sort((a, b) => a - b));
    expect(pageText(fake.BrowserWindow.instances[0]!.urls[0]!)).toContain('TeamHub is starting');
    expect(fake.Tray.instances[0]!.tooltip).toBe('TeamHub is running — 0 servers running');
  });

  it('opens the window with context isolation, the sandbox, no Node integration and the preload', async () => {
    await runDesktop(deps({}));
    const prefs = fake.BrowserWindow.instances[0]!.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      preload: '/app/dist/electron/src/preload.cjs',
    });
  });

  it('a second launch without the lock quits at once and never starts a hub', async () => {
    fake.app.lockGranted = false;
    const result = await runDesktop(deps({}));
    expect(result).toBeUndefined();
    expect(fake.calls).toEqual(['app.requestSingleInstanceLock', 'app.quit']);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
  });

  it('the first instance focuses its window when a second one starts', async () => {
    await runDesktop(deps({}));
    const win = fake.BrowserWindow.instances[0]!;
    win.minimized = true;
    fake.app.emit('second-instance');
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(1);
    expect(fake.BrowserWindow.instances).toHaveLength(1);
  });
});

describe('error screen', () => {
  it("shows why the hub could not start with the doctor's sentences, and Try again starts it", async () => {
    const knobs: Knobs = {
      startError: new Error('Port 8123 on 127.0.0.1 is already in use: choose another with --port N.'),
    };
    const stops: { stopServers: boolean }[] = [];
    const ctl = await runDesktop(deps(knobs, stops));
    const win = fake.BrowserWindow.instances[0]!;
    const shown = pageText(win.urls.at(-1)!);
    expect(shown).toContain('TeamHub could not start');
    expect(shown).toContain('Port 8123 on 127.0.0.1 is already in use');
    expect(shown).toContain('Docker does not answer on /var/run/docker.sock.');
    expect(shown).toContain('Fix: Start Docker Desktop or the docker service.');
    // The half-started hub is closed without touching anyone's containers.
    expect(stops).toEqual([{ stopServers: false }]);
    expect(ctl!.state).toBe('failed');
    expect(trayLabels()).toContain('Try again');

    delete knobs.startError;
    trayItem('Try again')!.click!();
    await vi.waitFor(() => expect(win.urls.at(-1)).toBe(HUB_URL));
    expect(ctl!.state).toBe('running');
    expect(trayLabels()).not.toContain('Try again');
  });

  it('a GitHub secret lost from the keychain is shown with the way to enter it again, and no hub starts', async () => {
    const lost = Object.assign(new Error('The GitHub client secret is not in the OS keychain.'), {
      fix: 'Enter it again: start once with TEAMHUB_GITHUB_CLIENT_SECRET set.',
    });
    await runDesktop(deps({ settingsError: lost }));
    const shown = pageText(fake.BrowserWindow.instances[0]!.urls.at(-1)!);
    expect(shown).toContain('The GitHub client secret is not in the OS keychain.');
    expect(shown).toContain('Fix: Enter it again: start once with TEAMHUB_GITHUB_CLIENT_SECRET set.');
    expect(fake.calls).not.toContain('hub.start');
  });

  it('escapes what it shows (an error text cannot inject markup)', async () => {
    await runDesktop(deps({ startError: new Error('<img src=x onerror=alert(1)>') }));
    const shown = pageText(fake.BrowserWindow.instances[0]!.urls.at(-1)!);
    expect(shown).not.toContain('<img');
    expect(shown).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('tray', () => {
  it('shows the running count and copies the LAN URL once LAN sharing is turned on', async () => {
    const knobs: Knobs = { running: 1 };
    const ctl = await runDesktop(deps(knobs));
    expect(fake.Tray.instances[0]!.tooltip).toBe('TeamHub is running — 1 server running');
    expect(trayItem('Copy LAN URL')).toMatchObject({
      label: 'Copy LAN URL (LAN sharing is off)',
      enabled: false,
    });

    knobs.running = 3;
    knobs.lanUrl = 'http://192.168.1.20:8123/hub/';
    ctl!.refreshMenus();
    expect(fake.Tray.instances[0]!.tooltip).toBe('TeamHub is running — 3 servers running');
    const copy = trayItem('Copy LAN URL')!;
    expect(copy).toMatchObject({ label: 'Copy LAN URL (http://192.168.1.20:8123/hub/)', enabled: true });
    copy.click!();
    expect(fake.clipboard.text).toBe('http://192.168.1.20:8123/hub/');
  });
});

describe('quitting', () => {
  it('asks once when servers run, does what was answered and remembers it', async () => {
    const stops: { stopServers: boolean }[] = [];
    await runDesktop(deps({ running: 2 }, stops));
    fake.dialog.response = 1; // "Leave them running"
    fake.app.quit();
    await vi.waitFor(() => expect(fake.app.quitted).toBe(true));
    expect(fake.dialog.asked).toBe(1);
    expect(stops).toEqual([{ stopServers: false }]);
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8'))).toEqual({ quitBehaviour: 'leave-running' });

    // Next run: the remembered answer is used without asking.
    fake.calls.length = 0;
    fake.app.removeAllListeners();
    fake.app.quitted = false;
    const stops2: { stopServers: boolean }[] = [];
    await runDesktop(deps({ running: 2 }, stops2));
    fake.app.quit();
    await vi.waitFor(() => expect(fake.app.quitted).toBe(true));
    expect(fake.dialog.asked).toBe(1);
    expect(stops2).toEqual([{ stopServers: false }]);
  });

  it('stops the servers when the setting says so, chosen from the tray menu', async () => {
    const stops: { stopServers: boolean }[] = [];
    await runDesktop(deps({ running: 1 }, stops));
    const submenu = (trayItem('When quitting') as unknown as { submenu: { label: string; click(): void }[] })
      .submenu;
    submenu.find((i) => i.label === 'Stop user servers')!.click();
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8')).quitBehaviour).toBe('stop-servers');
    fake.app.quit();
    await vi.waitFor(() => expect(fake.app.quitted).toBe(true));
    expect(fake.dialog.asked).toBe(0);
    expect(stops).toEqual([{ stopServers: true }]);
  });

  it('Cancel keeps the app and the hub running', async () => {
    const stops: { stopServers: boolean }[] = [];
    await runDesktop(deps({ running: 1 }, stops));
    fake.dialog.response = 2;
    fake.app.quit();
    await vi.waitFor(() => expect(fake.dialog.asked).toBe(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.app.quitted).toBe(false);
    expect(stops).toEqual([]);
    expect(fs.existsSync(settingsFile())).toBe(false);
  });

  it('does not ask when no server runs', async () => {
    const stops: { stopServers: boolean }[] = [];
    await runDesktop(deps({ running: 0 }, stops));
    fake.app.quit();
    await vi.waitFor(() => expect(fake.app.quitted).toBe(true));
    expect(fake.dialog.asked).toBe(0);
    expect(stops).toEqual([{ stopServers: false }]);
  });
});

describe('the rules wired into Electron', () => {
  it('keeps foreign pages out of the window, opens web links in the browser, refuses new windows', async () => {
    await runDesktop(deps({}));
    const contents = fake.BrowserWindow.instances[0]!.webContents;
    fake.app.emit('web-contents-created', {}, contents);

    const inside = fake.fakeEvent(`${HUB_URL}home`);
    contents.emit('will-navigate', inside);
    expect(inside.defaultPrevented).toBe(false);

    const docs = fake.fakeEvent('https://jupyter.org/');
    contents.emit('will-navigate', docs);
    expect(docs.defaultPrevented).toBe(true);
    expect(fake.shell.opened).toEqual(['https://jupyter.org/']);

    const file = fake.fakeEvent('file:///etc/passwd');
    contents.emit('will-redirect', file);
    expect(file.defaultPrevented).toBe(true);
    expect(fake.shell.opened).toHaveLength(1);

    expect(contents.openHandler!({ url: 'https://example.org/x' })).toEqual({ action: 'deny' });
    expect(fake.shell.opened).toEqual(['https://jupyter.org/', 'https://example.org/x']);
  });

  it('refuses web permissions except clipboard writes from the hub', async () => {
    await runDesktop(deps({}));
    const ses = fake.session.defaultSession;
    const ask = (p: string, url: string) =>
      new Promise<boolean>((resolve) => ses.requestHandler!({}, p, resolve, { requestingUrl: url }));
    expect(await ask('media', HUB_URL)).toBe(false);
    expect(await ask('clipboard-sanitized-write', HUB_URL)).toBe(true);
    expect(await ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(ses.checkHandler!({}, 'geolocation', 'http://127.0.0.1:8123')).toBe(false);
  });

  it('answers the bridge only for the hub page', async () => {
    await runDesktop(deps({}));
    const handler = fake.ipcMain.handlers.get('teamhub:copyToClipboard')!;
    const hubFrame = { url: `${HUB_URL}token`, parent: null };
    await handler({ senderFrame: hubFrame }, 'token-123');
    expect(fake.clipboard.text).toBe('token-123');
    expect(() => handler({ senderFrame: { url: 'https://github.com/login', parent: null } }, 'x')).toThrow(
      /only available to TeamHub's own pages/,
    );
    expect(() => handler({ senderFrame: { url: HUB_URL, parent: {} } }, 'x')).toThrow();
    expect(fake.clipboard.text).toBe('token-123');
  });
});
