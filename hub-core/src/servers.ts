import type { HubConfig } from './config/schema.js';
import { HubError, describeError, isHubError } from './errors.js';
import type { HubEvents, ProgressEvent } from './events.js';
import type { RouteTable } from './proxy/routes.js';
import { imageFor, specChanges } from './spawner/container-spec.js';
import type { DockerSpawner } from './spawner/docker-spawner.js';
import { serverPrefix } from './spawner/names.js';
import { type ServerRow, type Store, type UserRow, now } from './store/store.js';
import { hashToken, issueToken } from './tokens.js';

export const oauthClientId = (user: string, server = '') =>
  `jupyterhub-user-${encodeURIComponent(user)}${server ? `-${encodeURIComponent(server)}` : ''}`;

/** Python's json.dumps list format, which is what jupyterhub-singleuser expects to parse. */
const jsonList = (items: string[]) => `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;

export function accessScopes(user: string, server = ''): string[] {
  return [`access:servers!server=${user}/${server}`, `access:servers!user=${user}`];
}

/** What a server's own API token may do: report activity and identify its owner. */
export function serverTokenScopes(user: string, server = ''): string[] {
  return [
    `access:servers!server=${user}/${server}`,
    `read:users:activity!user=${user}`,
    `read:users:groups!user=${user}`,
    `read:users:name!user=${user}`,
    `users:activity!user=${user}`,
  ];
}

export interface ServerManagerDeps {
  store: Store;
  events: HubEvents;
  routes: RouteTable;
  spawner: DockerSpawner;
  config: HubConfig;
  /** The hub API URL containers use; binds the internal listener on first use. */
  hubApiUrlForContainers: () => Promise<string>;
  log: (msg: string) => void;
}

interface Pending {
  events: ProgressEvent[];
  done: Promise<void>;
}

/** Starts and stops users' servers and keeps the store, Docker and the proxy routes in step. */
export class ServerManager {
  private readonly pending = new Map<string, Pending>();
  private readonly lastFailure = new Map<string, ProgressEvent>();
  private readonly stopsQueued = new Set<string>();

  constructor(private readonly d: ServerManagerDeps) {}

  private key(user: UserRow, server: string) {
    return `${user.id}/${server}`;
  }

  /** Progress so far of a spawn in flight, or undefined. */
  progressOf(user: UserRow, server = ''): ProgressEvent[] | undefined {
    return this.pending.get(this.key(user, server))?.events;
  }

  failureEventOf(user: UserRow, server = ''): ProgressEvent | undefined {
    return this.lastFailure.get(this.key(user, server));
  }

  readyEvent(prefix: string): ProgressEvent {
    return {
      progress: 100,
      ready: true,
      message: `Server ready at ${prefix}`,
      html_message: `Server ready at <a href="${prefix}">${prefix}</a>`,
      url: prefix,
    };
  }

  /**
   * Begins a spawn and returns at once; `done` settles when the server is ready or has failed.
   * A spawn already in flight is joined, not repeated.
   */
  spawn(user: UserRow, server = '', userOptions: Record<string, unknown> = {}): { done: Promise<void> } {
    const key = this.key(user, server);
    if (this.stopsQueued.has(key)) {
      throw new HubError(
        400,
        'stop-pending',
        `${user.name}'s server is being stopped; start it again once it has stopped.`,
      );
    }
    const inFlight = this.pending.get(key);
    if (inFlight) return { done: inFlight.done };
    // A refused image choice is the caller's error (400), before anything is marked as starting.
    imageFor(this.d.config.docker, userOptions);
    const row = this.d.store.ensureServer(user.id, server);
    if (row.status === 'running') {
      throw new HubError(400, 'already-running', `${user.name}'s server is already running.`);
    }
    if (row.status === 'stopping') {
      throw new HubError(
        400,
        'stop-pending',
        `${user.name}'s server is still stopping; try again in a moment.`,
      );
    }
    const events: ProgressEvent[] = [];
    const push = (e: ProgressEvent) => {
      events.push(e);
      this.d.events.emit(`progress:${key}`, e);
    };
    this.lastFailure.delete(key);
    this.d.store.updateServer(row.id, { status: 'spawning', failure: null, user_options: userOptions });
    push({ progress: 0, message: 'Server requested' });
    const done = this.run(user, { ...row, user_options: userOptions }, push).finally(() =>
      this.pending.delete(key),
    );
    this.pending.set(key, { events, done });
    return { done };
  }

  private async run(user: UserRow, row: ServerRow, push: (e: ProgressEvent) => void): Promise<void> {
    const prefix = serverPrefix(user.name, row.name);
    const clientId = oauthClientId(user.name, row.name);
    try {
      const image = imageFor(this.d.config.docker, row.user_options);
      const apiUrl = await this.d.hubApiUrlForContainers();
      const { token } = issueToken(this.d.store, {
        userId: user.id,
        kind: 'server',
        scopes: serverTokenScopes(user.name, row.name),
        note: `Server at ${prefix}`,
        clientId,
      });
      this.d.store.upsertOAuthClient({
        id: clientId,
        secret_hash: hashToken(token),
        redirect_uri: `${prefix}oauth_callback`,
        description: `Server at ${prefix}`,
        user_id: user.id,
        server_name: row.name,
      });
      let volume = this.d.store.getUserById(user.id)?.volume ?? null;
      if (!volume) {
        volume = await this.d.spawner.chooseVolume(user.name, user.id, `${user.id}@${user.created}`);
        this.d.store.setVolume(user.id, volume);
      }
      const started = await this.d.spawner.start({
        user: user.name,
        userId: user.id,
        userKey: `${user.id}@${user.created}`,
        volume,
        server: row.name,
        prefix,
        env: this.environment(user.name, row.name, token, apiUrl, image),
        image,
        onProgress: (p) => push(p),
      });
      const ts = now();
      this.d.store.updateServer(row.id, {
        status: 'running',
        url: started.url,
        container_id: started.containerId,
        container_name: started.containerName,
        started: ts,
        last_activity: ts,
      });
      this.d.routes.add({
        prefix,
        target: started.url,
        user: user.name,
        server: row.name,
        containerId: started.containerId,
      });
      this.d.events.record({
        level: 'info',
        kind: 'spawn-ready',
        user_name: user.name,
        message: `${user.name}'s server is ready at ${prefix} (container ${started.containerName}).`,
        details: { url: started.url, container: started.containerName },
      });
      for (const warning of started.warnings) {
        this.d.events.record({
          level: 'warn',
          kind: 'server-warning',
          user_name: user.name,
          message: `${user.name}'s server: ${warning}`,
          details: {},
        });
      }
      push(this.readyEvent(prefix));
    } catch (err) {
      const e = isHubError(err)
        ? err
        : new HubError(500, 'spawn-error', `Starting the server failed: ${describeError(err)}.`, {
            cause: err,
          });
      this.d.store.deleteOAuthClient(clientId);
      const exitCode = (err as { exitCode?: number }).exitCode;
      const failure = { message: e.message, reason: e.reason, evidence: e.evidence, fix: e.fix, exitCode };
      this.markFailed(user, row, failure, {
        level: 'error',
        kind: 'spawn-failed',
        message: `${user.name}'s server failed to start: ${e.message}`,
      });
      const failed = { progress: 100, failed: true, message: `Spawn failed: ${e.message}` };
      this.lastFailure.set(this.key(user, row.name), failed);
      push(failed);
      throw e;
    }
  }

  /** The environment jupyterhub-singleuser 3.x–5.x reads (hub-protocol.md §1.2). */
  environment(
    user: string,
    server: string,
    token: string,
    apiUrl: string,
    image = this.d.config.docker.image,
  ): Record<string, string> {
    const prefix = serverPrefix(user, server);
    const scopes = jsonList(accessScopes(user, server));
    const env: Record<string, string> = {
      JUPYTERHUB_API_TOKEN: token,
      JPY_API_TOKEN: token,
      JUPYTERHUB_CLIENT_ID: oauthClientId(user, server),
      JUPYTERHUB_API_URL: apiUrl,
      JUPYTERHUB_ACTIVITY_URL: `${apiUrl}/users/${encodeURIComponent(user)}/activity`,
      JUPYTERHUB_OAUTH_CALLBACK_URL: `${prefix}oauth_callback`,
      JUPYTERHUB_OAUTH_ACCESS_SCOPES: scopes,
      JUPYTERHUB_OAUTH_SCOPES: scopes,
      JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: '[]',
      JUPYTERHUB_SERVICE_PREFIX: prefix,
      JUPYTERHUB_SERVICE_URL: `http://0.0.0.0:8888${prefix}`,
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_HOST: '',
      JUPYTERHUB_USER: user,
      JUPYTERHUB_SERVER_NAME: server,
      JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED: '0',
      JUPYTERHUB_PUBLIC_URL: '',
      JUPYTERHUB_PUBLIC_HUB_URL: '',
      JUPYTER_IMAGE_SPEC: image,
    };
    if (this.d.config.docker.notebookDir) env.JUPYTERHUB_ROOT_DIR = this.d.config.docker.notebookDir;
    if (this.d.config.docker.memLimit) env.MEM_LIMIT = this.d.config.docker.memLimit;
    if (this.d.config.docker.cpuLimit) env.CPU_LIMIT = String(this.d.config.docker.cpuLimit);
    return env;
  }

  /** Stops a server: route first, then the container (the volume stays), then its tokens and OAuth client. */
  /** True while a stop has been asked for and has not finished (a start then would be undone). */
  isStopQueued(user: UserRow, server = ''): boolean {
    return this.stopsQueued.has(this.key(user, server));
  }

  async stop(user: UserRow, server = ''): Promise<void> {
    const key = this.key(user, server);
    this.stopsQueued.add(key);
    try {
      await this.stopNow(user, server);
    } finally {
      this.stopsQueued.delete(key);
    }
  }

  private async stopNow(user: UserRow, server: string): Promise<void> {
    const inFlight = this.pending.get(this.key(user, server));
    if (inFlight) await inFlight.done.catch(() => undefined);
    const row = this.d.store.getServer(user.id, server);
    if (!row || row.status === 'stopped') return;
    const prefix = serverPrefix(user.name, server);
    this.d.store.updateServer(row.id, { status: 'stopping' });
    this.d.routes.remove(prefix);
    try {
      if (row.container_id) await this.d.spawner.stop(row.container_id);
    } catch (err) {
      this.d.store.updateServer(row.id, { status: row.status });
      throw err;
    }
    this.d.store.deleteOAuthClient(oauthClientId(user.name, server));
    this.d.store.updateServer(row.id, { status: 'stopped', url: null, container_id: null, started: null });
    this.d.events.record({
      level: 'info',
      kind: 'stopped',
      user_name: user.name,
      message: `${user.name}'s server at ${prefix} was stopped; the volume with the user's files is kept.`,
      details: { container: row.container_name },
    });
  }

  /** After a proxy error: if the container is no longer running, handle it as gone. */
  async checkServer(user: UserRow, server = ''): Promise<void> {
    const row = this.d.store.getServer(user.id, server);
    if (!row || row.status !== 'running' || !row.container_id) return;
    const running = await this.d.spawner.isRunning(row.container_id).catch(() => true);
    if (!running) await this.containerGone(row.container_id);
  }

  /**
   * A running server's container died or vanished outside the hub (Docker event or proxy error): the
   * route goes at once — its address may soon belong to another container — and the user sees why.
   */
  async containerGone(containerId: string, exitCode?: number): Promise<void> {
    this.d.routes.removeContainer(containerId);
    const row = this.d.store.listServers().find((r) => r.container_id === containerId);
    if (!row || row.status !== 'running') return;
    const user = this.d.store.getUserById(row.user_id);
    if (!user) return;
    const prefix = serverPrefix(user.name, row.name);
    this.d.routes.remove(prefix);
    this.d.store.updateServer(row.id, { status: 'stopping' });
    const logs = await this.d.spawner.lastLogs(containerId);
    await this.d.spawner.stop(containerId).catch(() => undefined);
    this.d.store.deleteOAuthClient(oauthClientId(user.name, row.name));
    const why =
      exitCode === undefined
        ? 'its container was removed outside the hub'
        : exitCode === 137
          ? 'its container was killed (exit code 137: often out of memory)'
          : `its container exited with code ${exitCode}`;
    const failure = {
      message: `Your server stopped unexpectedly: ${why}.`,
      reason: 'server-vanished',
      evidence: logs,
      exitCode,
    };
    this.markFailed(user, row, failure, {
      level: 'warn',
      kind: 'server-vanished',
      message: `${user.name}'s server at ${prefix} stopped outside the hub: ${why}; its route was removed.`,
    });
  }

  /** A server that failed to start or died: the user's page shows `failure`; admins see the event. */
  private markFailed(
    user: UserRow,
    row: ServerRow,
    f: {
      message: string;
      reason: string;
      evidence: string[];
      fix?: string | undefined;
      exitCode?: number | undefined;
    },
    event: { level: 'warn' | 'error'; kind: string; message: string },
  ): void {
    this.d.store.updateServer(row.id, {
      status: 'failed',
      url: null,
      container_id: null,
      started: null,
      failure: {
        message: f.message,
        reason: f.reason,
        evidence: f.evidence,
        ...(f.fix ? { fix: f.fix } : {}),
        ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}),
        at: now(),
      },
    });
    this.d.events.record({
      ...event,
      user_name: user.name,
      details: { reason: f.reason, evidence: f.evidence, fix: f.fix ?? null, exitCode: f.exitCode ?? null },
    });
  }

  /**
   * On hub start: running servers whose containers still match the settings get their routes back
   * without a restart; vanished ones are marked stopped; running ones made under other settings (a new
   * image, env, limits, or hub address) are stopped, and the event log names what changed.
   */
  async reconcile(apiUrl?: string): Promise<void> {
    for (const row of this.d.store.listServers()) {
      if (row.status === 'stopped' || row.status === 'failed') continue;
      const user = this.d.store.getUserById(row.user_id);
      if (!user) continue;
      const id = row.container_id;
      const alive = id ? await this.d.spawner.isRunning(id).catch(() => false) : false;
      let changes: string[] = [];
      if (alive && id && apiUrl) {
        const stored = await this.d.spawner.storedSpec(id);
        let image = this.d.config.docker.image;
        try {
          image = imageFor(this.d.config.docker, row.user_options);
        } catch {
          // The image it was started with is no longer offered: the default differs, so it is outdated.
        }
        const current = this.d.spawner.specOf(
          this.environment(user.name, row.name, '', apiUrl, image),
          image,
        );
        changes = stored ? specChanges(stored, current) : ['it was made without a settings label'];
      }
      if (alive && row.url && row.status === 'running' && changes.length === 0) {
        this.d.routes.add({
          prefix: serverPrefix(user.name, row.name),
          target: row.url,
          user: user.name,
          server: row.name,
          containerId: id as string,
        });
        this.d.log(`${user.name}'s server is still running; route restored`);
        continue;
      }
      if (!alive && id && row.status === 'running') {
        // It died while the hub was down: tell its owner how (exit code, last logs), as if live.
        await this.containerGone(id, await this.d.spawner.exitCodeOf(id));
        continue;
      }
      if (alive && changes.length) {
        this.d.events.record({
          level: 'warn',
          kind: 'server-outdated',
          user_name: user.name,
          message: `${user.name}'s server was stopped because the settings changed since it started (${changes.join('; ')}). Starting it again applies them; the user's files are kept.`,
          details: { changes },
        });
      }
      if (id) await this.d.spawner.stop(id).catch(() => undefined);
      this.d.store.deleteOAuthClient(oauthClientId(user.name, row.name));
      this.d.store.updateServer(row.id, { status: 'stopped', url: null, container_id: null, started: null });
    }
  }

  /** Deletes a user: servers stopped first, then the user with tokens, sessions and memberships. The volume stays. */
  async removeUser(user: UserRow): Promise<void> {
    for (const s of this.d.store.serversOf(user.id)) {
      if (s.status === 'stopping') {
        throw new HubError(
          400,
          'stop-pending',
          `${user.name}'s server is in the process of stopping, please wait.`,
        );
      }
      await this.stop(user, s.name);
    }
    this.d.store.deleteUser(user.id);
  }

  /** Stops every running server (hub shutdown). */
  async stopAll(): Promise<void> {
    const rows = this.d.store.listServers().filter((r) => r.status !== 'stopped' && r.status !== 'failed');
    await Promise.all(
      rows.map(async (r) => {
        const user = this.d.store.getUserById(r.user_id);
        if (user)
          await this.stop(user, r.name).catch((err) => this.d.log(`stop failed: ${describeError(err)}`));
      }),
    );
  }
}
