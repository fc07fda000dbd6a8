// The Electron entry point: wires hub-core (compiled, in the same dist/) into the desktop shell.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, safeStorage } from 'electron';
import { loadConfigWithStoredSecrets } from '../../hub-core/src/config-secrets.js';
import type { HubConfig } from '../../hub-core/src/config/schema.js';
import { runDiagnostics } from '../../hub-core/src/diagnostics.js';
import { describeError, isHubError } from '../../hub-core/src/errors.js';
import { createHub } from '../../hub-core/src/hub.js';
import { fileSecretStore } from '../../hub-core/src/secret-store.js';
import { loadHubSecrets } from '../../hub-core/src/secrets.js';
import { type DesktopDeps, runDesktop } from './desktop-app.js';
import { waitForHub } from './hub-ready.js';
import { safeStorageSecretStore } from './safe-storage-store.js';
import { lanUrlFor } from './urls.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where secrets go: safeStorage where Electron can encrypt, else the 0600 file (and it says so). */
const openSecretStore = (dataDir: string) =>
  safeStorage.isEncryptionAvailable()
    ? safeStorageSecretStore(safeStorage, dataDir)
    : fileSecretStore(dataDir, "Electron's safeStorage is not available on this system");

/** The hub's settings: TEAMHUB_CONFIG, else config.json in the app's own folder when there is one. */
async function loadSettings() {
  const own = path.join(app.getPath('userData'), 'config.json');
  const file = process.env.TEAMHUB_CONFIG ?? (fs.existsSync(own) ? own : undefined);
  const sources = { ...(file ? { file } : {}), env: process.env };
  const loaded = await loadConfigWithStoredSecrets(sources, openSecretStore);
  return { ...loaded, store: loaded.store ?? openSecretStore(loaded.config.dataDir) };
}

const log = (msg: string) => process.stderr.write(`[teamhub-desktop] ${msg}\n`);

const deps: DesktopDeps<HubConfig> = {
  loadSettings,
  loadSecrets: loadHubSecrets,
  createHub: (config, secrets, secretStore) => {
    const hub = createHub(config, { secrets, secretStore, stopServersOnExit: false });
    return {
      start: () => hub.start(),
      stop: (o) => hub.stop(o),
      get publicUrl() {
        return hub.urls.public;
      },
      runningServers: () => hub.context.store.listServers().filter((s) => s.status === 'running').length,
      lanUrl: () => {
        // LAN sharing (settings screen) adds listeners beside loopback; else the hub may listen on a LAN address itself.
        const lan = hub.context.lan.state();
        const address = lan.addresses[0];
        if (address && lan.port) return `http://${address}:${lan.port}/hub/`;
        return lanUrlFor(hub.urls.public, os.networkInterfaces());
      },
      onShutdownRequest: (l) => hub.onShutdownRequest(l),
    };
  },
  diagnose: async (config) => {
    if (!config) return [];
    const results = await runDiagnostics(config);
    return results
      .filter((r) => r.status === 'fail')
      .map((r) => ({ message: `${r.name}: ${r.message}`, fix: r.fix, evidence: r.evidence }));
  },
  describeError: (err) =>
    isHubError(err)
      ? { message: err.message, fix: err.fix, evidence: err.evidence }
      : { message: describeError(err) },
  waitForHub: (url) => waitForHub(url),
  preloadPath: path.join(here, 'preload.cjs'),
  iconPath: path.join(app.getAppPath(), 'assets', 'icon.png'),
  // Electron picks tray@2x.png by itself on high-density screens.
  trayIconPath: path.join(app.getAppPath(), 'assets', 'tray.png'),
  log,
};

runDesktop(deps).catch((err: unknown) => {
  log(`could not start: ${describeError(err)}`);
  app.exit(1);
});
