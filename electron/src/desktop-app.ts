import {
  BrowserWindow,
  Menu,
  Tray,
  app,
  clipboard,
  dialog,
  ipcMain,
  nativeImage,
  session,
  shell,
  type Event as ElectronEvent,
  type WebContents,
} from 'electron';
import type { LoadedSecrets, SecretStore } from '../../hub-core/src/secrets.js';
import type { AppInfo, SecretsStatus } from './ipc-contract.js';
import { registerDesktopIpc } from './ipc-handlers.js';
import { type MenuActions, type MenuState, appMenuTemplate, statusLine, trayTemplate } from './menus.js';
import {
  type LoginProviders,
  type WebPolicy,
  decideNavigation,
  decidePermission,
  decideWindowOpen,
  isTrustedSender,
  webPolicyFor,
} from './policies.js';
import { type QuitBehaviour, SettingsFile, decideQuit } from './quit-setting.js';
import { type Problem, errorPage, splashPage } from './screens.js';
import { windowUrlFor } from './urls.js';

/** What the desktop shell needs from a hub (hub-core's Hub, adapted in main.ts). */
export interface DesktopHub {
  start(): Promise<void>;
  stop(o: { stopServers: boolean }): Promise<void>;
  readonly publicUrl: string;
  runningServers(): number;
  /** Where teammates reach the hub; null while LAN sharing is off (it can change while running). */
  lanUrl(): string | null;
  onShutdownRequest(listener: (o: { stopServers: boolean }) => void): void;
}

/** The parts of hub-core's HubConfig the shell reads. */
export interface DesktopConfig {
  dataDir: string;
  auth: LoginProviders;
}

/** hub-core, injected: main.ts passes the real functions, unit tests pass fakes. */
export interface DesktopDeps<C extends DesktopConfig = DesktopConfig> {
  /** The hub's settings, with its GitHub client secret taken from (or moved into) the secret store. */
  loadSettings(): Promise<{ config: C; store: SecretStore; notices: string[] }>;
  loadSecrets(store: SecretStore, dataDir: string): Promise<LoadedSecrets>;
  createHub(config: C, secrets: LoadedSecrets['secrets'], store: SecretStore): DesktopHub;
  /** The doctor's failed checks, as sentences; [] when it cannot say more than the error. */
  diagnose(config: C | undefined): Promise<Problem[]>;
  waitForHub(url: string): Promise<void>;
  describeError(err: unknown): Problem;
  preloadPath: string;
  iconPath: string;
  trayIconPath: string;
  log(msg: string): void;
}

const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

type HubState = MenuState['hub'];

/** The app's lifetime: window, tray, menu, the embedded hub and quitting. */
export class DesktopController<C extends DesktopConfig = DesktopConfig> {
  window: BrowserWindow | undefined;
  tray: Tray | undefined;
  hub: DesktopHub | undefined;
  state: HubState = 'starting';
  policy: WebPolicy = { hubOrigins: [], loginPages: [] };
  private hubUrl: string | null = null;
  private secretStore: SecretStore | undefined;
  private secretNotices: string[] = [];
  private quitting: 'no' | 'deciding' | 'done' = 'no';
  private readonly settings: SettingsFile;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DesktopDeps<C>) {
    this.settings = new SettingsFile(app.getPath('userData'));
  }

  /** Deny-by-default rules for every web contents and the session (see policies.ts). */
  installSecurity(): void {
    app.on('web-contents-created', (_e, contents: WebContents) => this.guard(contents));
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
      callback(decidePermission(permission, details.requestingUrl, this.policy)),
    );
    ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
      decidePermission(permission, requestingOrigin, this.policy),
    );
  }

  guard(contents: WebContents): void {
    const onNavigate = (event: ElectronEvent, url: string) => {
      const decision = decideNavigation(url, this.policy);
      if (decision === 'allow') return;
      event.preventDefault();
      if (decision === 'open-externally') void shell.openExternal(url);
    };
    contents.on('will-navigate', (event) => onNavigate(event, event.url));
    contents.on('will-redirect', (event) => onNavigate(event, event.url));
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (decideWindowOpen(url) === 'open-externally') void shell.openExternal(url);
      return { action: 'deny' };
    });
  }

  registerIpc(): void {
    registerDesktopIpc(ipcMain, {
      isTrustedSender: (frame) => isTrustedSender(frame, this.policy),
      writeClipboard: (text) => clipboard.writeText(text),
      openExternal: (url) => shell.openExternal(url),
      appInfo: () => this.appInfo(),
      secretsStatus: () => this.secretsStatus(),
    });
  }

  appInfo(): AppInfo {
    return {
      name: app.getName(),
      version: app.getVersion(),
      electronVersion: process.versions.electron ?? 'unknown',
      platform: process.platform,
      hubUrl: this.hubUrl,
      lanUrl: this.currentLanUrl(),
    };
  }

  private currentLanUrl(): string | null {
    return this.state === 'running' ? (this.hub?.lanUrl() ?? null) : null;
  }

  secretsStatus(): SecretsStatus {
    return {
      store: this.secretStore?.kind ?? 'file',
      description: this.secretStore
        ? `Secrets are kept in ${this.secretStore.description}.`
        : 'The secrets have not been read yet.',
      problems: [...this.secretNotices],
    };
  }

  showWindow(url: string): void {
    if (!this.window || this.window.isDestroyed()) {
      this.window = new BrowserWindow({
        width: 1200,
        height: 800,
        title: 'TeamHub',
        icon: this.deps.iconPath,
        show: true,
        webPreferences: { ...SECURE_WEB_PREFERENCES, preload: this.deps.preloadPath },
      });
    }
    void this.window.loadURL(url).catch((err: unknown) => this.deps.log(`loading ${url}: ${String(err)}`));
  }

  /** A second launch, the tray's Open or the dock: bring the window back (or make a new one). */
  focus(): void {
    if (!this.window || this.window.isDestroyed()) {
      this.showWindow(this.currentPage());
      return;
    }
    if (this.window.isMinimized()) this.window.restore();
    this.window.show();
    this.window.focus();
  }

  private lastError: string | undefined;
  private currentPage(): string {
    if (this.state === 'running' && this.hubUrl) return this.hubUrl;
    return this.state === 'failed' && this.lastError ? this.lastError : splashPage();
  }

  /** Secrets, hub, wait until it answers, then the hub's page; the error screen on any failure. */
  async startHub(): Promise<void> {
    this.setState('starting');
    let config: C | undefined;
    try {
      const settings = await this.deps.loadSettings();
      config = settings.config;
      this.secretStore = settings.store;
      const loaded = await this.deps.loadSecrets(this.secretStore, config.dataDir);
      this.secretNotices = [...settings.notices, ...loaded.notices];
      for (const n of this.secretNotices) this.deps.log(n);
      const hub = this.deps.createHub(config, loaded.secrets, this.secretStore);
      this.hub = hub;
      hub.onShutdownRequest((o) => void this.quitWith(o.stopServers));
      await hub.start();
      this.hubUrl = windowUrlFor(hub.publicUrl);
      this.policy = webPolicyFor(this.hubUrl, config.auth);
      await this.deps.waitForHub(this.hubUrl);
      this.setState('running');
      this.showWindow(this.hubUrl);
    } catch (err) {
      const failed = this.hub;
      this.hub = undefined;
      await failed?.stop({ stopServers: false }).catch(() => undefined);
      const problems = [this.deps.describeError(err), ...(await this.deps.diagnose(config))];
      this.lastError = errorPage('TeamHub could not start', problems);
      this.setState('failed');
      this.showWindow(this.lastError);
    }
  }

  retry(): void {
    if (this.state !== 'failed') return;
    this.showWindow(splashPage());
    void this.startHub();
  }

  private setState(state: HubState): void {
    this.state = state;
    this.refreshMenus();
  }

  menuState(): MenuState {
    return {
      hub: this.state,
      runningServers: this.state === 'running' && this.hub ? this.hub.runningServers() : 0,
      lanUrl: this.currentLanUrl(),
      quitBehaviour: this.settings.read().quitBehaviour,
    };
  }

  private actions: MenuActions = {
    open: () => this.focus(),
    openInBrowser: () => void (this.hubUrl && shell.openExternal(this.hubUrl)),
    copyLanUrl: () => {
      const url = this.currentLanUrl();
      if (url) clipboard.writeText(url);
    },
    retry: () => this.retry(),
    setQuitBehaviour: (b: QuitBehaviour) => {
      this.settings.write({ quitBehaviour: b });
      this.refreshMenus();
    },
    quit: () => app.quit(),
  };

  createTrayAndMenu(): void {
    this.tray = new Tray(nativeImage.createFromPath(this.deps.trayIconPath));
    this.tray.on('click', () => this.focus());
    this.refreshMenus();
    // The running count changes as people start and stop servers: a cheap store read every few seconds.
    this.refreshTimer = setInterval(() => this.refreshMenus(), 5000);
    this.refreshTimer.unref();
  }

  refreshMenus(): void {
    const s = this.menuState();
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(s, this.actions, process.platform)));
    if (!this.tray) return;
    this.tray.setToolTip(statusLine(s));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayTemplate(s, this.actions)));
  }

  /** app 'before-quit': hold the quit until the hub has stopped as the quit setting says. */
  onBeforeQuit(event: { preventDefault(): void }): void {
    if (this.quitting === 'done' || !this.hub) return;
    event.preventDefault();
    if (this.quitting === 'deciding') return;
    this.quitting = 'deciding';
    void this.decideAndQuit();
  }

  private async decideAndQuit(): Promise<void> {
    const hub = this.hub;
    const choice = await decideQuit(
      this.settings.read().quitBehaviour,
      hub?.runningServers() ?? 0,
      async () => {
        const { response } = await dialog.showMessageBox({
          type: 'question',
          buttons: ['Stop servers', 'Leave them running', 'Cancel'],
          defaultId: 1,
          cancelId: 2,
          message: 'Stop the running user servers?',
          detail:
            'Left running, they keep working and TeamHub takes them back when it starts again. ' +
            'Your answer is kept; change it in the TeamHub menu under "When quitting".',
        });
        return (['stop-servers', 'leave-running', 'cancel'] as const)[response] ?? 'cancel';
      },
    );
    if (choice === 'cancel') {
      this.quitting = 'no';
      return;
    }
    if (choice.remember) this.settings.write({ quitBehaviour: choice.remember });
    await this.quitWith(choice.stopServers);
  }

  private async quitWith(stopServers: boolean): Promise<void> {
    const hub = this.hub;
    this.hub = undefined;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await hub
      ?.stop({ stopServers })
      .catch((err: unknown) => this.deps.log(`stopping the hub: ${String(err)}`));
    this.quitting = 'done';
    app.quit();
  }
}

/**
 * The startup order: single-instance lock first (a second launch only focuses the first), then
 * Electron ready, security rules, IPC, tray and menu, the splash, and only then the hub.
 */
export async function runDesktop<C extends DesktopConfig>(
  deps: DesktopDeps<C>,
): Promise<DesktopController<C> | undefined> {
  if (!app.requestSingleInstanceLock()) {
    deps.log('TeamHub is already running: focusing its window.');
    app.quit();
    return undefined;
  }
  const ctl = new DesktopController(deps);
  app.on('second-instance', () => ctl.focus());
  app.on('activate', () => ctl.focus());
  // Closing the window keeps the hub serving teammates; the tray's Quit ends it.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => ctl.onBeforeQuit(event));
  await app.whenReady();
  ctl.installSecurity();
  ctl.registerIpc();
  ctl.createTrayAndMenu();
  ctl.showWindow(splashPage());
  await ctl.startHub();
  return ctl;
}
