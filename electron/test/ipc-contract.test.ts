import fs from 'node:fs';
import vm from 'node:vm';
import ts from 'typescript';
import { beforeEach, describe, expect, it } from 'vitest';
import { BRIDGE_NAME, DESKTOP_METHODS, MAX_CLIPBOARD_CHARS } from '../src/ipc-contract.js';
import { type IpcDeps, registerDesktopIpc } from '../src/ipc-handlers.js';

const exposed = new Map<string, Record<string, (...a: unknown[]) => Promise<unknown>>>();
const invoked: { channel: string; args: unknown[] }[] = [];

const fakeElectron = {
  contextBridge: {
    exposeInMainWorld: (name: string, api: Record<string, (...a: unknown[]) => Promise<unknown>>) =>
      exposed.set(name, api),
  },
  ipcRenderer: {
    invoke: (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return Promise.resolve(`answer to ${channel}`);
    },
  },
};

/**
 * Runs the preload as Electron's sandbox does: CommonJS, with a require that knows only 'electron'.
 * (A preload that needed any other file would throw here, as it would in the app.)
 */
function runPreload(): void {
  const source = fs.readFileSync(new URL('../src/preload.cts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const sandboxRequire = (name: string) => {
    if (name === 'electron') return fakeElectron;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  const module = { exports: {} };
  vm.runInNewContext(outputText, { require: sandboxRequire, module, exports: module.exports, Object });
}

describe('preload', () => {
  beforeEach(() => {
    exposed.clear();
    invoked.length = 0;
    runPreload();
  });

  it('exposes exactly the documented API, under one name, frozen', () => {
    expect([...exposed.keys()]).toEqual([BRIDGE_NAME]);
    const api = exposed.get(BRIDGE_NAME)!;
    expect(Object.keys(api).sort()).toEqual(['appInfo', 'copyToClipboard', 'openExternal', 'secretsStatus']);
    expect(Object.keys(api).sort()).toEqual([...DESKTOP_METHODS].sort());
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('each method is one invoke on its own channel, passing the arguments through', async () => {
    const api = exposed.get(BRIDGE_NAME)!;
    await expect(api.copyToClipboard!('abc')).resolves.toBe('answer to teamhub:copyToClipboard');
    await api.openExternal!('https://jupyter.org/');
    await api.appInfo!();
    await api.secretsStatus!();
    expect(invoked).toEqual([
      { channel: 'teamhub:copyToClipboard', args: ['abc'] },
      { channel: 'teamhub:openExternal', args: ['https://jupyter.org/'] },
      { channel: 'teamhub:appInfo', args: [] },
      { channel: 'teamhub:secretsStatus', args: [] },
    ]);
  });
});

describe('main-process handlers', () => {
  const hubFrame = { senderFrame: { url: 'http://127.0.0.1:8000/hub/', parent: null } };
  const strangerFrame = { senderFrame: { url: 'https://evil.example/', parent: null } };

  function setup() {
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
    const done: string[] = [];
    const deps: IpcDeps = {
      isTrustedSender: (frame) => frame?.url.startsWith('http://127.0.0.1:8000/') === true,
      writeClipboard: (t) => void done.push(`clipboard ${t}`),
      openExternal: async (u) => void done.push(`open ${u}`),
      appInfo: () => ({
        name: 'TeamHub',
        version: '0.1.0',
        electronVersion: '41.10.0',
        platform: 'linux',
        hubUrl: 'http://127.0.0.1:8000/hub/',
        lanUrl: null,
      }),
      secretsStatus: () => ({ store: 'safeStorage', description: 'x', problems: [] }),
    };
    registerDesktopIpc({ handle: (c, h) => void handlers.set(c, h as never) }, deps);
    return { handlers, done };
  }

  it('registers one handler per contract method and nothing else', () => {
    const { handlers } = setup();
    expect([...handlers.keys()].sort()).toEqual(DESKTOP_METHODS.map((m) => `teamhub:${m}`).sort());
  });

  it('every handler refuses a sender that is not the hub page', async () => {
    const { handlers, done } = setup();
    for (const [channel, handler] of handlers) {
      await expect((async () => handler(strangerFrame, 'https://jupyter.org/'))(), channel).rejects.toThrow(
        /only available to TeamHub's own pages/,
      );
      await expect((async () => handler({ senderFrame: null }))(), channel).rejects.toThrow();
    }
    expect(done).toEqual([]);
  });

  it('checks arguments: text for the clipboard, http(s) URLs for the browser', async () => {
    const { handlers, done } = setup();
    const call = async (m: string, ...a: unknown[]) => handlers.get(`teamhub:${m}`)!(hubFrame, ...a);
    await call('copyToClipboard', 'token');
    await call('openExternal', 'https://jupyter.org/');
    await expect(call('copyToClipboard', 42)).rejects.toThrow(/takes a string/);
    await expect(call('copyToClipboard', 'x'.repeat(MAX_CLIPBOARD_CHARS + 1))).rejects.toThrow(/at most/);
    await expect(call('openExternal', 'file:///etc/passwd')).rejects.toThrow(/http\(s\) URL/);
    await expect(call('openExternal', 'javascript:alert(1)')).rejects.toThrow(/http\(s\) URL/);
    expect(await call('appInfo')).toMatchObject({ name: 'TeamHub', hubUrl: 'http://127.0.0.1:8000/hub/' });
    expect(done).toEqual(['clipboard token', 'open https://jupyter.org/']);
  });
});
