import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { buildProviders } from './auth/providers.js';
import { startAuthRefresh } from './auth/refresh.js';
import type { HubConfig } from './config/schema.js';
import type { HubContext } from './context.js';
import { closeServer, listen } from './http/listen.js';
import { savedLanAddresses, saveLanAddresses, withSavedSettings } from './ui/settings.js';
import { keepAWayIn, loadSavedProviders, noneOff, offProblems, useProviders } from './ui/saved-providers.js';
import { fileSecretStore } from './secret-store.js';
import { LanSharing, lanAddresses } from './lan-sharing.js';
import { HubError, describeError } from './errors.js';
import { HubEvents } from './events.js';
import { type AddressProof, probeHubFromContainer, removeProbes } from './probes.js';
import { createHubApp } from './http/app.js';
import { hubConnectCandidates } from './network.js';
import { createProxy } from './proxy/proxy.js';
import { RouteTable } from './proxy/routes.js';
import { type HubSecrets, type SecretStore, loadOrCreateSecrets } from './secrets.js';
import { loadHubState, lockDataDir, prepareDataDir, saveHubState } from './hub-state.js';
import { ServerManager } from './servers.js';
import { Signer } from './signing.js';
import { DockerClient, type DockerStatus, watchContainerEvents } from './spawner/docker-client.js';
import { DockerSpawner } from './spawner/docker-spawner.js';
import { openDatabase } from './store/database.js';
import { Store } from './store/store.js';
import { PREFIX_LENGTH, findToken, hashToken } from './tokens.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string) => void;

export interface HubOptions {
  logger?: Logger;
  /** Stop every user's container when the hub stops (default true). */
  stopServersOnExit?: boolean;
  /** Secrets read by the caller from a keychain-backed store; default: the 0600 file in the data folder. */
  secrets?: HubSecrets;
  /** Where client secrets entered in Settings go; default: the 0600 file in the data folder. */
  secretStore?: SecretStore;
}

export interface Hub {
  start(): Promise<void>;
  /** Called when an admin asks the hub to shut down through the API. */
  onShutdownRequest(listener: (o: { stopServers: boolean }) => void): void;
  stop(o?: { stopServers?: boolean }): Promise<void>;
  readonly urls: { public: string; internalApi: string | undefined };
  readonly context: HubContext;
  /** Labels this hub's containers and volumes (org.teamhub.hub). */
  readonly hubId: string;
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

function consoleLogger(min: LogLevel): Logger {
  return (level, msg) => {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(min)) return;
    process.stderr.write(`[${new Date().toISOString()} ${level}] ${msg}\n`);
  };
}

/** Tokens from config (token → owner) are stored hashed, with many rounds since a person chose them. */
function loadConfigTokens(store: Store, tokens: Record<string, string>): void {
  for (const [token, owner] of Object.entries(tokens)) {
    const user = store.ensureUser(owner.toLowerCase());
    if (findToken(store, token)) continue;
    store.insertToken({
      user_id: user.id,
      kind: 'api',
      prefix: token.slice(0, PREFIX_LENGTH),
      hashed: hashToken(token, 16384),
      scopes: ['inherit'],
      note: 'from config apiTokens',
      client_id: null,
      session_id: null,
      created: new Date().toISOString(),
      expires_at: null,
    });
  }
}

/** The composition root: secrets, store, auth, spawner, proxy, listeners, in that order. */
export function createHub(config: HubConfig, options: HubOptions = {}): Hub {
  const log = options.logger ?? consoleLogger(config.logLevel);
  prepareDataDir(config.dataDir);
  // Settings changed in the UI were saved beside the database and win over the config file.
  const saved = withSavedSettings(config);
  if (saved.problem) log('warn', saved.problem);
  config = saved.config;
  const secrets = options.secrets ?? loadOrCreateSecrets(config.dataDir);
  const state = loadHubState(config.dataDir);
  const store = new Store(openDatabase(path.join(config.dataDir, 'teamhub.sqlite')));
  const events = new HubEvents(store, log);
  const docker = new DockerClient(config.docker.socketPath);
  const spawner = new DockerSpawner(docker, config.docker, state.hubId);
  let unlock: (() => void) | undefined;
  let stopWatching: (() => void) | undefined;
  let stopAuthRefresh: (() => void) | undefined;
  const routes = new RouteTable();

  const shutdownListeners: ((o: { stopServers: boolean }) => void)[] = [];
  const internal = http.createServer();
  let internalApi: string | undefined;
  let internalStarting: Promise<string> | undefined;

  // Containers call the hub on the Docker network's host address, never on 0.0.0.0.
  // The configured port, else the one used last time (containers that outlive a restart still call
  // it), else any free port, remembered for next time.
  async function listenInternal(ip: string): Promise<number> {
    // With "any free port" (0), the port used last time comes first: running containers still call it.
    const saved = state.internalPort;
    const order = config.docker.internalPort === 0 ? [saved, 0] : [config.docker.internalPort, saved];
    let port: number | undefined;
    for (const p of [...new Set(order.filter((x): x is number => x !== undefined))]) {
      try {
        port = await listen(internal, p, ip);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || p === 0) throw err;
      }
    }
    if (port === undefined) {
      port = await listen(internal, 0, ip);
      log(
        'warn',
        `port ${config.docker.internalPort} on ${ip} is taken; containers will call the hub on port ${port} instead`,
      );
    }
    if (port !== saved) {
      state.internalPort = port;
      saveHubState(config.dataDir, state);
    }
    return port;
  }

  async function hubApiUrlForContainers(): Promise<string> {
    if (internalApi) return internalApi;
    internalStarting ??= (async () => {
      const candidates =
        config.docker.hubConnectIp === 'auto'
          ? await hubConnectCandidates(docker, config.docker.network)
          : [{ bind: config.docker.hubConnectIp, advertise: config.docker.hubConnectIp }];
      const tried: string[] = [];
      let bound: { ip: string; port: number } | undefined;
      for (const c of candidates) {
        try {
          bound = { ip: c.advertise, port: await listenInternal(c.bind) };
          break;
        } catch (err) {
          tried.push(`${c.bind}:${config.docker.internalPort}: ${describeError(err)}`);
        }
      }
      if (!bound) {
        throw new HubError(
          503,
          'hub-address',
          `No address was found where containers on the Docker network "${config.docker.network}" could reach the hub.`,
          {
            evidence: tried.length ? tried : ['the network has no IPv4 gateway or subnet'],
            fix: 'Set docker.hubConnectIp to an address of this machine that containers can reach.',
          },
        );
      }
      const { ip, port } = bound;
      internalApi = `http://${ip}:${port}/hub/api`;
      log('info', `containers reach the hub at ${internalApi}`);
      return internalApi;
    })().catch((err) => {
      internalStarting = undefined;
      throw err;
    });
    return internalStarting;
  }

  // Containers get the hub address only once a throwaway container has fetched it (F10): a firewall
  // that drops the traffic then fails spawns in seconds with that sentence, not after the start timeout.
  let proof: AddressProof | undefined;
  async function provenHubApiUrl(): Promise<string> {
    const url = await hubApiUrlForContainers();
    if (proof?.ok && proof.url === url) return url;
    proof = await probeHubFromContainer(docker, config.docker, url, state.hubId);
    if (proof.checked && !proof.ok) {
      throw new HubError(503, 'hub-unreachable', proof.message, {
        evidence: proof.evidence,
        ...(proof.fix ? { fix: proof.fix } : {}),
      });
    }
    return url;
  }

  async function dockerBack(): Promise<void> {
    log('info', 'Docker answers again: re-checking the hub address and the servers');
    proof = undefined;
    const apiUrl = await hubApiUrlForContainers();
    (hub.urls as { internalApi: string | undefined }).internalApi = apiUrl;
    await servers.reconcile(apiUrl);
    await provenHubApiUrl();
  }

  const servers = new ServerManager({
    store,
    events,
    routes,
    spawner,
    config,
    hubApiUrlForContainers: provenHubApiUrl,
    log: (msg) => log('info', msg),
  });

  // LAN listeners share the front door's handlers, which exist once the proxy does (below).
  const lanHandlers = {
    request: (_req: http.IncomingMessage, res: http.ServerResponse) => void res.end(),
    upgrade: (_req: http.IncomingMessage, socket: net.Socket, _head: Buffer) => void socket.destroy(),
  };
  const lan = new LanSharing(
    {
      request: (req, res) => lanHandlers.request(req, res),
      upgrade: (req, socket, head) => lanHandlers.upgrade(req, socket, head),
    },
    config.ip,
  );
  let publicPort: number | undefined;

  const context: HubContext = {
    config,
    store,
    events,
    servers,
    signer: new Signer(secrets.cookieSecret),
    docker,
    ...buildProviders(config.auth, config.port),
    providersOff: noneOff(),
    passwordsForNow: false,
    secretStore: options.secretStore ?? fileSecretStore(config.dataDir),
    dockerStatus: (): Promise<DockerStatus> => docker.status(),
    routes,
    addressProof: () => proof,
    requestShutdown: (o) => shutdownListeners.forEach((l) => l(o)),
    lan: {
      state: () => ({ ...lan.state(), candidates: lanAddresses(), port: publicPort }),
      async set(addresses) {
        const wanted = lan.validate(addresses);
        if (publicPort === undefined) throw new HubError(503, 'not-started', 'The hub is still starting.');
        const result = await lan.set(wanted, publicPort);
        saveLanAddresses(config.dataDir, result.addresses);
        log(
          'info',
          result.addresses.length ? `LAN sharing on ${result.addresses.join(', ')}` : 'LAN sharing off',
        );
        return result;
      },
    },
    log,
  };

  const app = createHubApp(context);
  internal.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!(req.url ?? '').startsWith('/hub/api')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 404, message: 'Only /hub/api is served to containers.' }));
      return;
    }
    app(req, res);
  });

  const proxy = createProxy({
    routes,
    hub: (req, res) => app(req, res),
    onTargetError: (route) => {
      const user = store.getUser(route.user);
      if (user) servers.checkServer(user, route.server).catch(() => undefined);
      else routes.remove(route.prefix);
    },
    log: (msg) => log('warn', msg),
  });
  // Requests that arrive while start() is still re-adopting servers wait for it, so a restored
  // server's URL never answers "not running" during start-up.
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) =>
    void ready.then(() => proxy.request(req, res));
  const onUpgrade = (req: http.IncomingMessage, socket: net.Socket, head: Buffer) =>
    void ready.then(() => proxy.upgrade(req, socket, head));
  const front = http.createServer(onRequest);
  front.on('upgrade', onUpgrade);
  lanHandlers.request = onRequest;
  lanHandlers.upgrade = onUpgrade;

  const hub: Hub = {
    context,
    hubId: state.hubId,
    onShutdownRequest: (l) => shutdownListeners.push(l),
    urls: { public: `http://${config.ip}:${config.port}/hub/`, internalApi: undefined },
    async start() {
      unlock = lockDataDir(config.dataDir);
      // Docker events make a container that dies outside the hub lose its route at once (its address
      // may be handed to another user's container next).
      stopWatching = watchContainerEvents(
        docker,
        state.hubId,
        (e) => {
          if (e.action === 'die' || e.action === 'destroy')
            void servers.containerGone(e.id, e.exitCode).catch(() => undefined);
        },
        // Docker came back (restarted, or started after the hub): prove the address again and
        // re-check every server against what the engine now runs.
        () =>
          void dockerBack().catch((err: unknown) =>
            log('warn', `after Docker came back: ${describeError(err)}`),
          ),
      );
      for (const name of config.auth.adminUsers) store.ensureUser(name.toLowerCase(), true);
      loadConfigTokens(store, config.apiTokens);
      try {
        const port = await listen(front, config.port, config.ip);
        publicPort = port;
        (hub.urls as { public: string }).public =
          `http://${config.ip.includes(':') ? `[${config.ip}]` : config.ip}:${port}/hub/`;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new HubError(
            1,
            'port-in-use',
            `Port ${config.port} on ${config.ip} is already in use: choose another with --port N (or TEAMHUB_PORT).`,
          );
        }
        if (code === 'EADDRNOTAVAIL' || code === 'EACCES') {
          throw new HubError(
            1,
            'listen-failed',
            `Cannot listen on ${config.ip}:${config.port} (${code}): choose another address with --ip or port with --port.`,
          );
        }
        throw err;
      }
      // Providers entered in Settings replace the config file's; their secrets come from the store.
      const fromSettings = await loadSavedProviders(config, context.secretStore);
      for (const note of fromSettings.notes) log('info', note);
      // What was left out of settings.json (logged when read) is shown on the settings screen too.
      if (saved.problem) fromSettings.off.other.unshift(saved.problem);
      const kept = keepAWayIn(fromSettings.auth ?? config.auth, fromSettings.off);
      useProviders(context, kept.auth, fromSettings.off);
      context.passwordsForNow = kept.forNow;
      for (const p of offProblems(fromSettings.off)) if (p !== saved.problem) log('warn', p);
      const status = await docker.status();
      if (status.ok) {
        const apiUrl = await hubApiUrlForContainers().catch((err) => {
          log('warn', describeError(err));
          return undefined;
        });
        (hub.urls as { internalApi: string | undefined }).internalApi = apiUrl;
        // Prove the address in the background, so the first spawn does not wait for it.
        if (apiUrl) void provenHubApiUrl().catch((err: unknown) => log('warn', describeError(err)));
        await servers
          .reconcile(apiUrl)
          .catch((err) => log('warn', `reconciling with Docker failed: ${describeError(err)}`));
      } else if (status.problem) {
        log('warn', `${status.problem.message} ${status.problem.fix ?? ''}`);
      }
      const shared = savedLanAddresses(config.dataDir);
      if (shared.length) {
        // Addresses that went away (another network) are reported, not fatal: loopback still works.
        const result = await lan.set(
          shared.filter((a) => a !== config.ip),
          publicPort as number,
        );
        for (const p of result.problems) log('warn', `LAN sharing: ${p.message}`);
      }
      markReady();
      // Re-checks organization, team and group membership of signed-in users (auth.refreshIntervalSeconds).
      stopAuthRefresh = startAuthRefresh(context);
      log('info', `TeamHub is running at ${hub.urls.public}`);
    },
    async stop(o = {}) {
      stopWatching?.();
      stopAuthRefresh?.();
      await removeProbes(docker, state.hubId).catch(() => undefined);
      if (o.stopServers ?? options.stopServersOnExit ?? true) await servers.stopAll();
      proxy.close();
      await Promise.all([closeServer(front), closeServer(internal), lan.close()]);
      store.db.close();
      unlock?.();
    },
  };
  return hub;
}
