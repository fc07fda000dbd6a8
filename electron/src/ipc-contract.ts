/**
 * The one contract between the main process and the preload bridge. The preload (sandboxed, so it
 * cannot load other files at run time) imports only these types; channel names are derived from the
 * method names, so a typo on either side fails the type check.
 */

export interface AppInfo {
  name: string;
  version: string;
  electronVersion: string;
  platform: NodeJS.Platform;
  /** Where this window reaches the hub. */
  hubUrl: string | null;
  /** Where teammates on the LAN reach it; null when the hub listens on this machine only. */
  lanUrl: string | null;
}

export interface SecretsStatus {
  /** 'safeStorage': encrypted with Electron's OS-keychain key; 'file': a 0600 file (no keychain answered). */
  store: 'safeStorage' | 'keychain' | 'file';
  /** One sentence saying where the hub's secrets are kept. */
  description: string;
  /** Problems found when the secrets were read (e.g. a keychain entry is gone), each with what to do. */
  problems: string[];
}

/** What `window.teamhubDesktop` offers a hub page inside the desktop app (absent in a plain browser). */
export interface DesktopApi {
  /** Copies text with the OS clipboard (works where navigator.clipboard is refused). */
  copyToClipboard(text: string): Promise<void>;
  /** Opens an http(s) URL in the system browser. */
  openExternal(url: string): Promise<void>;
  appInfo(): Promise<AppInfo>;
  secretsStatus(): Promise<SecretsStatus>;
}

export type DesktopMethod = keyof DesktopApi;
export type Channel<K extends DesktopMethod = DesktopMethod> = `teamhub:${K}`;

export const BRIDGE_NAME = 'teamhubDesktop';

/** Every method, in a fixed order; the contract test holds the preload to exactly these. */
export const DESKTOP_METHODS = [
  'copyToClipboard',
  'openExternal',
  'appInfo',
  'secretsStatus',
] as const satisfies readonly DesktopMethod[];

// Fails to compile when DesktopApi gains a method that DESKTOP_METHODS does not list.
type Missing = Exclude<DesktopMethod, (typeof DESKTOP_METHODS)[number]>;
const _allListed: Missing extends never ? true : never = true;
void _allListed;

export const channelOf = <K extends DesktopMethod>(method: K): Channel<K> => `teamhub:${method}`;

/** Largest text the clipboard handler takes: far above any token or URL, far below a memory problem. */
export const MAX_CLIPBOARD_CHARS = 1_000_000;
