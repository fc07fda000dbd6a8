// A stand-in for the 'electron' module (the binary cannot be downloaded here): records what the
// main process asks of it, in order, so tests can check behaviour and startup order.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const calls: string[] = [];

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  url?: string;
}
export const fakeEvent = (url?: string): FakeEvent => ({
  defaultPrevented: false,
  preventDefault() {
    this.defaultPrevented = true;
  },
  ...(url ? { url } : {}),
});

class FakeApp extends EventEmitter {
  lockGranted = true;
  quitted = false;
  userData = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-desktop-test-'));
  requestSingleInstanceLock() {
    calls.push('app.requestSingleInstanceLock');
    return this.lockGranted;
  }
  whenReady() {
    calls.push('app.whenReady');
    return Promise.resolve();
  }
  /** Like Electron: 'before-quit' first, and a listener may hold the quit back. */
  quit() {
    calls.push('app.quit');
    const e = fakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.quitted = true;
  }
  exit() {
    this.quitted = true;
  }
  getPath() {
    return this.userData;
  }
  getName() {
    return 'TeamHub';
  }
  getVersion() {
    return '0.1.0';
  }
  getAppPath() {
    return '/app';
  }
}
export const app = new FakeApp();

class FakeWebContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

export class BrowserWindow {
  static instances: BrowserWindow[] = [];
  webContents = new FakeWebContents();
  urls: string[] = [];
  minimized = false;
  focused = 0;
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    BrowserWindow.instances.push(this);
    calls.push('new BrowserWindow');
  }
  loadURL(url: string) {
    this.urls.push(url);
    calls.push(`loadURL ${url.startsWith('data:') ? 'data:' : url}`);
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  show() {}
  focus() {
    this.focused++;
  }
}

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  tooltip = '';
  menu: { template: { label?: string; click?: () => void; enabled?: boolean }[] } | undefined;
  constructor() {
    super();
    Tray.instances.push(this);
    calls.push('new Tray');
  }
  setToolTip(t: string) {
    this.tooltip = t;
  }
  setContextMenu(m: Tray['menu']) {
    this.menu = m;
  }
}

export const Menu = {
  applicationMenu: undefined as unknown,
  buildFromTemplate: (template: unknown[]) => ({ template }),
  setApplicationMenu(m: unknown) {
    this.applicationMenu = m;
  },
};

export const clipboard = { text: '', writeText: (t: string) => void (clipboard.text = t) };
export const shell = {
  opened: [] as string[],
  openExternal: (url: string) => (shell.opened.push(url), Promise.resolve()),
};
export const dialog = {
  asked: 0,
  response: 1,
  showMessageBox: () => (dialog.asked++, Promise.resolve({ response: dialog.response })),
};

type PermissionRequest = (
  wc: unknown,
  p: string,
  cb: (ok: boolean) => void,
  d: { requestingUrl: string },
) => void;
export const session = {
  defaultSession: {
    requestHandler: undefined as PermissionRequest | undefined,
    checkHandler: undefined as ((wc: unknown, p: string, origin: string) => boolean) | undefined,
    setPermissionRequestHandler(h: PermissionRequest) {
      calls.push('session.setPermissionRequestHandler');
      this.requestHandler = h;
    },
    setPermissionCheckHandler(h: (wc: unknown, p: string, origin: string) => boolean) {
      this.checkHandler = h;
    },
  },
};

export const ipcMain = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, h: (event: unknown, ...args: unknown[]) => unknown) {
    if (this.handlers.size === 0) calls.push('ipcMain.handle');
    this.handlers.set(channel, h);
  },
};

export const nativeImage = { createFromPath: (p: string) => ({ path: p }) };

/** Forgets everything recorded, for the next test. */
export function resetFake(): void {
  calls.length = 0;
  app.removeAllListeners();
  app.lockGranted = true;
  app.quitted = false;
  app.userData = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-desktop-test-'));
  BrowserWindow.instances.length = 0;
  Tray.instances.length = 0;
  ipcMain.handlers.clear();
  shell.opened.length = 0;
  dialog.asked = 0;
  dialog.response = 1;
  clipboard.text = '';
}
