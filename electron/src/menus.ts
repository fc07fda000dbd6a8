import type { MenuItemConstructorOptions } from 'electron';
import type { QuitBehaviour } from './quit-setting.js';

export interface MenuState {
  hub: 'starting' | 'running' | 'failed';
  runningServers: number;
  lanUrl: string | null;
  quitBehaviour: QuitBehaviour;
}

export interface MenuActions {
  open(): void;
  openInBrowser(): void;
  copyLanUrl(): void;
  retry(): void;
  setQuitBehaviour(b: QuitBehaviour): void;
  quit(): void;
}

export function statusLine(s: MenuState): string {
  if (s.hub === 'starting') return 'TeamHub is starting…';
  if (s.hub === 'failed') return 'TeamHub could not start';
  const n = s.runningServers;
  return `TeamHub is running — ${n} server${n === 1 ? '' : 's'} running`;
}

function quitChoices(s: MenuState, a: MenuActions): MenuItemConstructorOptions {
  const choice = (label: string, value: QuitBehaviour): MenuItemConstructorOptions => ({
    label,
    type: 'radio',
    checked: s.quitBehaviour === value,
    click: () => a.setQuitBehaviour(value),
  });
  return {
    label: 'When quitting',
    submenu: [
      choice('Ask me', 'ask'),
      choice('Stop user servers', 'stop-servers'),
      choice('Leave them running (taken back at next start)', 'leave-running'),
    ],
  };
}

/** The tray icon's menu: status, open, copy LAN URL, quit behaviour, quit. */
export function trayTemplate(s: MenuState, a: MenuActions): MenuItemConstructorOptions[] {
  return [
    { label: statusLine(s), enabled: false },
    { type: 'separator' },
    { label: 'Open TeamHub', click: () => a.open() },
    {
      label: s.lanUrl ? `Copy LAN URL (${s.lanUrl})` : 'Copy LAN URL (LAN sharing is off)',
      enabled: s.hub === 'running' && s.lanUrl !== null,
      click: () => a.copyLanUrl(),
    },
    ...(s.hub === 'failed' ? [{ label: 'Try again', click: () => a.retry() }] : []),
    quitChoices(s, a),
    { type: 'separator' },
    { label: 'Quit TeamHub', click: () => a.quit() },
  ];
}

/** The window menu: the standard roles (so copy/paste and the usual shortcuts work) plus TeamHub's own. */
export function appMenuTemplate(
  s: MenuState,
  a: MenuActions,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  const teamhub: MenuItemConstructorOptions = {
    label: 'TeamHub',
    submenu: [
      { label: 'Open in Browser', enabled: s.hub === 'running', click: () => a.openInBrowser() },
      { label: 'Copy LAN URL', enabled: s.hub === 'running' && !!s.lanUrl, click: () => a.copyLanUrl() },
      { label: 'Try again', enabled: s.hub === 'failed', click: () => a.retry() },
      quitChoices(s, a),
      { type: 'separator' },
      { label: 'Quit TeamHub', accelerator: 'CmdOrCtrl+Q', click: () => a.quit() },
    ],
  };
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    teamhub,
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
}
