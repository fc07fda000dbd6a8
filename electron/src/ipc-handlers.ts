import type { IpcMainInvokeEvent } from 'electron';
import {
  type AppInfo,
  DESKTOP_METHODS,
  type DesktopApi,
  type DesktopMethod,
  MAX_CLIPBOARD_CHARS,
  type SecretsStatus,
  channelOf,
} from './ipc-contract.js';
import { type SenderFrame, isExternalOpenable } from './policies.js';

export interface IpcDeps {
  /** The sender check: only the hub's top frame may call (see policies.isTrustedSender). */
  isTrustedSender(frame: SenderFrame | null | undefined): boolean;
  writeClipboard(text: string): void;
  openExternal(url: string): Promise<void>;
  appInfo(): AppInfo;
  secretsStatus(): SecretsStatus;
}

type Handler<K extends DesktopMethod> = (
  ...args: unknown[]
) => Awaited<ReturnType<DesktopApi[K]>> | ReturnType<DesktopApi[K]>;

export class IpcRefused extends Error {}

/** The main-process side of the contract: argument checks here, sender check around every handler. */
export function desktopHandlers(deps: IpcDeps): { [K in DesktopMethod]: Handler<K> } {
  return {
    copyToClipboard: (text) => {
      if (typeof text !== 'string' || text.length > MAX_CLIPBOARD_CHARS)
        throw new IpcRefused(`copyToClipboard takes a string of at most ${MAX_CLIPBOARD_CHARS} characters.`);
      deps.writeClipboard(text);
    },
    openExternal: async (url) => {
      if (typeof url !== 'string' || !isExternalOpenable(url))
        throw new IpcRefused('openExternal takes an http(s) URL.');
      await deps.openExternal(url);
    },
    appInfo: () => deps.appInfo(),
    secretsStatus: () => deps.secretsStatus(),
  };
}

interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
}

/** Registers every contract method on ipcMain; a call from any frame but the hub's page is refused. */
export function registerDesktopIpc(ipcMain: IpcMainLike, deps: IpcDeps): void {
  const handlers = desktopHandlers(deps);
  for (const method of DESKTOP_METHODS) {
    const handler = handlers[method] as (...args: unknown[]) => unknown;
    ipcMain.handle(channelOf(method), (event, ...args) => {
      if (!deps.isTrustedSender(event.senderFrame))
        throw new IpcRefused(`${method} is only available to TeamHub's own pages.`);
      return handler(...args);
    });
  }
}
