import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { HubConfig } from '../config/schema.js';
import { parseSize } from '../config/schema.js';
import { HubError, describeError } from '../errors.js';
import { probeHttp } from '../http-probe.js';
import {
  DockerClient,
  withTimeout,
  LABEL_HUB,
  LABEL_MANAGED,
  LABEL_PROBE,
  LABEL_SERVER,
  LABEL_SPEC,
  LABEL_USER,
  LABEL_USER_ID,
  demuxLogs,
  dockerUnreachable,
} from './docker-client.js';
import { prepareHostFolders, unwritableFolders } from './host-folders.js';
import { containerName, volumeName } from './names.js';

export interface Progress {
  progress: number;
  message: string;
}

export interface SpawnRequest {
  user: string;
  userId: number;
  /** Tells this user apart from an earlier user who had the same id (id + creation time). */
  userKey: string;
  /** The user's volume (chosen once, see chooseVolume). */
  volume: string;
  server: string;
  /** The server's URL prefix, e.g. /user/alice/. */
  prefix: string;
  env: Record<string, string>;
  onProgress: (p: Progress) => void;
}

export interface ContainerSpec {
  image: string;
  cmd: string[] | null;
  network: string;
  homeMount: string;
  memLimit: string | null;
  cpuLimit: number | null;
  env: Record<string, string>;
}

/** The settings that differ between two specs, in words ("image: a → b", "env MEM_LIMIT"). */
export function specChanges(before: ContainerSpec, after: ContainerSpec): string[] {
  const out: string[] = [];
  for (const key of ['image', 'cmd', 'network', 'homeMount', 'memLimit', 'cpuLimit'] as const) {
    const a = JSON.stringify(before[key]);
    const b = JSON.stringify(after[key]);
    if (a !== b) out.push(`${key}: ${a} → ${b}`);
  }
  for (const k of new Set([...Object.keys(before.env), ...Object.keys(after.env)])) {
    if (before.env[k] !== after.env[k])
      out.push(
        `env ${k}: ${JSON.stringify(before.env[k] ?? null)} → ${JSON.stringify(after.env[k] ?? null)}`,
      );
  }
  return out;
}

export interface StartedServer {
  url: string;
  containerId: string;
  containerName: string;
  /** Problems found after start that do not stop the server (e.g. a mounted folder it cannot write). */
  warnings: string[];
}

const CONTAINER_PORT = 8888;
const LOG_LINES = 30;

/** One container per user server, one named volume per user; the container is disposable, the volume is not. */
export class DockerSpawner {
  constructor(
    private readonly docker: DockerClient,
    private readonly cfg: HubConfig['docker'],
    /** Labels every container and volume, so a hub only ever touches its own. */
    private readonly hubId: string,
  ) {}

  async start(req: SpawnRequest): Promise<StartedServer> {
    await this.docker.ensureReachable();
    await this.ensureImage(req.onProgress);
    const name = containerName(this.cfg.namePrefix, req.user, req.server);
    await this.removeStale(name);
    const volume = await this.ensureVolume(req);
    await this.prepareNotebookDir(volume);
    const binds = await prepareHostFolders(this.docker, this.cfg, req.user);
    req.onProgress({ progress: 30, message: `Creating container ${name}` });
    const container = await this.create(name, volume, binds, req);
    try {
      await container.start();
    } catch (err) {
      await this.stop(container.id).catch(() => undefined);
      throw this.dockerError(`start the container ${name}`, err);
    }
    req.onProgress({ progress: 50, message: 'Container started; waiting for Jupyter to answer' });
    const ip = await this.containerIp(container);
    const url = `http://${ip}:${CONTAINER_PORT}`;
    await this.waitUntilReady(container, `${url}${req.prefix}api`);
    const warnings = await unwritableFolders(container, this.cfg, req.user).catch((err: unknown) => [
      `Could not check whether the mounted folders are writable: ${describeError(err)}.`,
    ]);
    return { url, containerId: container.id, containerName: name, warnings };
  }

  /** Stop and remove the container; the user's volume stays. Missing containers are fine. */
  async stop(containerId: string): Promise<void> {
    const c = this.docker.api.getContainer(containerId);
    try {
      await c.stop({ t: 5 });
    } catch (err) {
      if (!isStatus(err, 304) && !isStatus(err, 404)) throw this.dockerError('stop the container', err);
    }
    try {
      await c.remove({ force: true });
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw this.dockerError('remove the container', err);
    }
  }

  /** True while the container exists and runs. */
  async isRunning(containerId: string): Promise<boolean> {
    try {
      const info = await this.docker.api.getContainer(containerId).inspect();
      return info.State.Running;
    } catch (err) {
      if (isStatus(err, 404)) return false;
      throw err;
    }
  }

  async lastLogs(containerId: string, lines = LOG_LINES): Promise<string[]> {
    try {
      const buf = (await this.docker.api
        .getContainer(containerId)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
      return demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(-lines);
    } catch {
      return [];
    }
  }

  /** Pulls in progress, by image: concurrent spawns of one missing image share one pull (F13). */
  private readonly pulls = new Map<string, Promise<void>>();
  private readonly pullWatchers = new Map<string, Set<(p: Progress) => void>>();

  private async ensureImage(onProgress: (p: Progress) => void): Promise<void> {
    const image = this.cfg.image;
    try {
      await this.docker.api.getImage(image).inspect();
      onProgress({ progress: 10, message: `Image ${image} is present` });
      return;
    } catch (err) {
      if (!isStatus(err, 404)) throw this.dockerError(`inspect the image ${image}`, err);
    }
    let watchers = this.pullWatchers.get(image);
    if (!watchers) this.pullWatchers.set(image, (watchers = new Set()));
    watchers.add(onProgress);
    let pull = this.pulls.get(image);
    if (!pull) {
      pull = this.pull(image, (p) => this.pullWatchers.get(image)?.forEach((w) => w(p))).finally(() => {
        this.pulls.delete(image);
        this.pullWatchers.delete(image);
      });
      this.pulls.set(image, pull);
    } else {
      onProgress({ progress: 10, message: `Waiting for the pull of ${image} another start began` });
    }
    try {
      await pull;
    } finally {
      watchers.delete(onProgress);
    }
  }

  /**
   * One pull with its own generous time limit (not the start timeout), reporting layers and bytes,
   * and failing in words: no such image, credentials needed, or the network.
   */
  private async pull(image: string, report: (p: Progress) => void): Promise<void> {
    report({ progress: 10, message: `Pulling image ${image}` });
    const layers = new Map<string, { current: number; total: number; done: boolean }>();
    let lastReport = 0;
    const onEvent = (e: {
      status?: string;
      id?: string;
      progressDetail?: { current?: number; total?: number };
    }) => {
      if (!e.id || !e.status) return;
      const layer = layers.get(e.id) ?? { current: 0, total: 0, done: false };
      if (e.status === 'Downloading' && e.progressDetail?.total) {
        layer.current = e.progressDetail.current ?? 0;
        layer.total = e.progressDetail.total;
      }
      if (/^(Download complete|Pull complete|Already exists)$/.test(e.status)) {
        layer.done = true;
        layer.current = layer.total;
      }
      if (e.status !== 'Pulling from' && !/^Pulling from/.test(e.status)) layers.set(e.id, layer);
      if (Date.now() - lastReport < 300 && !layer.done) return;
      lastReport = Date.now();
      const all = [...layers.values()];
      const mb = (n: number) => (n / 1e6).toFixed(1);
      const current = all.reduce((n, l) => n + l.current, 0);
      const total = all.reduce((n, l) => n + l.total, 0);
      const share = total ? current / total : 0;
      report({
        progress: 10 + Math.round(18 * share),
        message: `Pulling image ${image}: ${all.filter((l) => l.done).length} of ${all.length} layers, ${mb(current)} of ${mb(total)} MB`,
      });
    };
    try {
      const stream = await this.docker.api.pull(image);
      await withTimeout(
        new Promise<void>((resolve, reject) =>
          this.docker.api.modem.followProgress(
            stream,
            (err: Error | null) => (err ? reject(err) : resolve()),
            onEvent,
          ),
        ),
        this.cfg.pullTimeoutSeconds * 1000,
        () => new Error(`no end within ${this.cfg.pullTimeoutSeconds} s (docker.pullTimeoutSeconds)`),
      );
    } catch (err) {
      throw pullError(image, err);
    }
    report({ progress: 28, message: `Pulled image ${image}` });
  }

  // A container we made earlier under the same name (e.g. the hub died mid-spawn) would block creation.
  private async removeStale(name: string): Promise<void> {
    const existing = await this.docker.api.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
    for (const c of existing) {
      if (c.Labels?.[LABEL_MANAGED] !== 'true') {
        throw new HubError(
          409,
          'name-taken',
          `A container named ${name} exists that TeamHub did not create.`,
          {
            fix: `Rename or remove it (docker rm ${name}); TeamHub never touches containers it did not make.`,
          },
        );
      }
      if (c.Labels?.[LABEL_HUB] !== this.hubId) {
        throw new HubError(
          409,
          'name-taken',
          `The container ${name} belongs to another TeamHub on this Docker engine.`,
          {
            fix: 'Give each hub its own docker.namePrefix, or stop the other hub.',
          },
        );
      }
      await this.stop(c.Id);
    }
  }

  /**
   * The volume for a user who has none yet: `<prefix>-user-<name>`, unless a volume of that name
   * holds someone else's files (an earlier user of the same name, or another hub's), then with the
   * user's id added. A deleted and re-created user never gets the old files by accident.
   */
  async chooseVolume(user: string, userId: number, userKey: string): Promise<string> {
    const base = volumeName(this.cfg.namePrefix, user);
    for (const name of [base, `${base}-${userId}`]) {
      let labels: Record<string, string> | undefined;
      try {
        labels = (await this.docker.api.getVolume(name).inspect()).Labels ?? {};
      } catch (err) {
        if (isStatus(err, 404)) return name;
        throw this.dockerError(`inspect the volume ${name}`, err);
      }
      // The key is id + creation time: SQLite may give a new user the id of a deleted one.
      const ours = labels[LABEL_HUB] === this.hubId && labels[LABEL_USER_ID] === userKey;
      if (ours) return name;
    }
    throw new HubError(
      409,
      'volume-taken',
      `The volumes ${base} and ${base}-${userId} both belong to someone else.`,
      {
        fix: 'Remove or rename the old volume (docker volume rm), or set another docker.namePrefix.',
      },
    );
  }

  /**
   * Field case F09: a notebook folder that does not exist makes the server exit at start. Inside the
   * user's volume it is created (as the image's user); elsewhere it must exist in the image, or the
   * spawn fails now, naming the setting, instead of with a bare exit code.
   */
  private async prepareNotebookDir(volume: string): Promise<void> {
    const dir = this.cfg.notebookDir;
    if (!dir) return;
    const home = this.cfg.homeMount.replace(/\/+$/, '');
    const inVolume = dir === home || dir.startsWith(`${home}/`);
    const container = await this.docker.api.createContainer({
      Image: this.cfg.image,
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: [inVolume ? 'mkdir -p "$1"' : 'test -d "$1"', 'sh', dir],
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_HUB]: this.hubId, [LABEL_PROBE]: 'true' },
      HostConfig: {
        NetworkMode: 'none',
        Mounts: [{ Type: 'volume', Source: volume, Target: this.cfg.homeMount }],
      },
    });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      if (StatusCode === 0) return;
      const logs = await this.lastLogs(container.id);
      throw new HubError(
        400,
        'notebook-dir',
        inVolume
          ? `The notebook folder ${dir} (setting docker.notebookDir) could not be created in the user's volume.`
          : `The notebook folder ${dir} (setting docker.notebookDir) does not exist in the image ${this.cfg.image}.`,
        {
          evidence: logs,
          fix: inVolume
            ? 'Check that the image user may write to its home folder.'
            : `Set docker.notebookDir to a folder inside ${home} (it is then created for each user), or use an image that has ${dir}.`,
        },
      );
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  private async ensureVolume(req: SpawnRequest): Promise<string> {
    const name = req.volume;
    try {
      await this.docker.api.getVolume(name).inspect();
    } catch (err) {
      if (!isStatus(err, 404)) throw this.dockerError(`inspect the volume ${name}`, err);
      await this.docker.api.createVolume({
        Name: name,
        Labels: {
          [LABEL_MANAGED]: 'true',
          [LABEL_USER]: req.user,
          [LABEL_USER_ID]: req.userKey,
          [LABEL_HUB]: this.hubId,
        },
      });
    }
    return name;
  }

  /**
   * Everything that shapes a container, secrets left out: recorded in a label so that a running
   * container made under other settings is noticed (and named) after a hub restart.
   */
  specOf(env: Record<string, string>): ContainerSpec {
    const { JUPYTERHUB_API_TOKEN: _t, JPY_API_TOKEN: _j, ...visible } = { ...env, ...this.cfg.env };
    return {
      image: this.cfg.image,
      cmd: this.cfg.cmd ?? null,
      network: this.cfg.network,
      homeMount: this.cfg.homeMount,
      memLimit: this.cfg.memLimit ?? null,
      cpuLimit: this.cfg.cpuLimit ?? null,
      env: visible,
    };
  }

  /** The spec a container was created with, from its label (undefined for containers without one). */
  async storedSpec(containerId: string): Promise<ContainerSpec | undefined> {
    try {
      const info = await this.docker.api.getContainer(containerId).inspect();
      const label = info.Config.Labels?.[LABEL_SPEC];
      return label ? (JSON.parse(label) as ContainerSpec) : undefined;
    } catch {
      return undefined;
    }
  }

  private async create(
    name: string,
    volume: string,
    binds: Docker.MountSettings[],
    req: SpawnRequest,
  ): Promise<Docker.Container> {
    const mem = this.cfg.memLimit ? parseSize(this.cfg.memLimit) : undefined;
    const env = { ...req.env, ...this.cfg.env };
    try {
      return await this.docker.api.createContainer({
        name,
        Image: this.cfg.image,
        ...(this.cfg.cmd ? { Cmd: this.cfg.cmd } : {}),
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        Labels: {
          [LABEL_MANAGED]: 'true',
          [LABEL_USER]: req.user,
          [LABEL_SERVER]: req.server,
          [LABEL_HUB]: this.hubId,
          [LABEL_SPEC]: JSON.stringify(this.specOf(req.env)),
        },
        ExposedPorts: { [`${CONTAINER_PORT}/tcp`]: {} },
        HostConfig: {
          NetworkMode: this.cfg.network,
          Mounts: [{ Type: 'volume', Source: volume, Target: this.cfg.homeMount }, ...binds],
          ...(mem ? { Memory: mem } : {}),
          ...(this.cfg.cpuLimit ? { NanoCpus: Math.round(this.cfg.cpuLimit * 1e9) } : {}),
        },
      });
    } catch (err) {
      throw this.dockerError(`create the container ${name}`, err);
    }
  }

  // A container that already exited has no address: report the exit, with its logs, instead.
  private async containerIp(container: Docker.Container): Promise<string> {
    const info = await container.inspect();
    if (!info.State.Running) throw await this.exited(container, info.State.ExitCode);
    const nets = info.NetworkSettings.Networks ?? {};
    const ip = nets[this.cfg.network]?.IPAddress || Object.values(nets).find((n) => n.IPAddress)?.IPAddress;
    if (!ip) {
      await this.stop(container.id).catch(() => undefined);
      throw new HubError(
        502,
        'container-address',
        `The container ${info.Name} has no address on the network ${this.cfg.network}.`,
        {
          fix: 'Check docker.network: the containers must join a network this machine can reach.',
        },
      );
    }
    return ip;
  }

  /** The error for a container that stopped while starting: exit code, last logs; the container is removed. */
  private async exited(container: Docker.Container, exitCode: number | undefined): Promise<HubError> {
    const logs = await this.lastLogs(container.id);
    await this.stop(container.id).catch(() => undefined);
    const code = exitCode === 137 ? '137 (killed; often out of memory)' : String(exitCode);
    return Object.assign(
      new HubError(
        502,
        'container-exited',
        exitCode === undefined
          ? "The server's container disappeared while starting."
          : `The server's container exited with code ${code} while starting.`,
        {
          evidence: logs,
          fix: fixFromLogs(logs),
        },
      ),
      { exitCode },
    );
  }

  /** Polls the server until it answers (< 500); a container that exits fails the spawn at once. */
  private async waitUntilReady(container: Docker.Container, probeUrl: string): Promise<void> {
    const deadline = Date.now() + this.cfg.startTimeoutSeconds * 1000;
    let delay = 100;
    let last = '';
    while (Date.now() < deadline) {
      const info = await container.inspect().catch((err: unknown) => {
        if (isStatus(err, 404)) return undefined;
        throw err;
      });
      if (!info || !info.State.Running) throw await this.exited(container, info?.State.ExitCode);
      const r = await probeHttp(probeUrl, 2000);
      if (r.status !== undefined && r.status < 500) return;
      last = r.status !== undefined ? `HTTP ${r.status}` : (r.error ?? 'no answer');
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
    const logs = await this.lastLogs(container.id);
    await this.stop(container.id).catch(() => undefined);
    throw new HubError(
      504,
      'start-timeout',
      `The server did not answer at ${probeUrl} within ${this.cfg.startTimeoutSeconds} s (last: ${last}).`,
      {
        evidence: logs,
        fix: 'If the logs say the hub API cannot be reached, check docker.hubConnectIp; else raise docker.startTimeoutSeconds.',
      },
    );
  }

  private dockerError(what: string, err: unknown): HubError {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
      return dockerUnreachable(this.docker.socketPath, err);
    }
    const message = (err as { json?: { message?: string } }).json?.message ?? describeError(err);
    return new HubError(502, 'docker-error', `Docker could not ${what}: ${message}.`, { cause: err });
  }
}

function isStatus(err: unknown, status: number): boolean {
  return (err as { statusCode?: number } | undefined)?.statusCode === status;
}

/** Known start-up failures, recognised in the container's last lines, mapped to the setting to change. */
function fixFromLogs(logs: string[]): string {
  const text = logs.join('\n');
  if (/No such notebook dir/i.test(text)) {
    return 'The notebook folder (JUPYTERHUB_ROOT_DIR, from docker.notebookDir or docker.env) does not exist in the container: set docker.notebookDir to a folder inside docker.homeMount, where it is created for each user.';
  }
  if (/Failed to connect to my Hub|Failed to connect to Hub API/i.test(text)) {
    return 'The container could not reach the hub API: run teamhub doctor, and check docker.hubConnectIp and the firewall.';
  }
  if (/executable file not found|No such file or directory/i.test(text) && /exec/i.test(text)) {
    return 'The command does not exist in the image: check docker.cmd, or use a JupyterHub single-user image.';
  }
  return 'Read the last log lines below; they usually name the missing file, setting or module.';
}

/** A failed pull in words: no such image, credentials needed, or the network. */
function pullError(image: string, err: unknown): HubError {
  const text = (err as { json?: { message?: string } }).json?.message ?? describeError(err);
  if (/manifest unknown|not found|does not exist|no such image/i.test(text)) {
    return new HubError(502, 'image-not-found', `The image ${image} does not exist in its registry.`, {
      evidence: [text],
      fix: 'Check docker.image: the name and the tag. (The default image is built with scripts/build-singleuser-image.sh.)',
    });
  }
  if (/no basic auth credentials|unauthorized|authentication required|denied/i.test(text)) {
    return new HubError(502, 'image-auth', `The registry of ${image} asks for credentials.`, {
      evidence: [text],
      fix: 'Run docker login <registry> on this machine as the user running TeamHub, or use a public image.',
    });
  }
  return new HubError(502, 'image-pull', `Pulling the image ${image} failed.`, {
    evidence: [text],
    fix: `Check this machine's network and the registry address; try docker pull ${image} to see more. Starting again resumes the pull.`,
  });
}
