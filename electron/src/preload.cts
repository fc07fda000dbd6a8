// The window's only bridge to the main process. Sandboxed preloads run as CommonJS and can require
// nothing but 'electron', so this file is self-contained and imports the contract as types only.
import { contextBridge, ipcRenderer } from 'electron';
import type { Channel, DesktopApi, DesktopMethod } from './ipc-contract.js';

function invoker<K extends DesktopMethod>(method: K) {
  const channel: Channel<K> = `teamhub:${method}`;
  return (...args: Parameters<DesktopApi[K]>) =>
    ipcRenderer.invoke(channel, ...args) as ReturnType<DesktopApi[K]>;
}

const api: DesktopApi = {
  copyToClipboard: invoker('copyToClipboard'),
  openExternal: invoker('openExternal'),
  appInfo: invoker('appInfo'),
  secretsStatus: invoker('secretsStatus'),
};

contextBridge.exposeInMainWorld('teamhubDesktop', Object.freeze(api));
