import Docker from 'dockerode';
import { HubError, describeError } from '../errors.js';

export const LABEL_MANAGED = 'org.teamhub.managed';
export const LABEL_USER = 'org.teamhub.user';
export const LABEL_USER_ID = 'org.teamhub.user-id';
export const LABEL_SERVER = 'org.teamhub.server';
export const LABEL_HUB = 'org.teamhub.hub';
/** Short-lived helper containers (checks, folder preparation), removed when done or when the hub stops. */
export const LABEL_PROBE = 'org.teamhub.probe';
/** The container's spec (settings that shaped it, no secrets), as JSON. */
export const LABEL_SPEC = 'org.teamhub.spec';

/** Turns a failure to talk to the engine into the sentence a person needs (F08). */
export function dockerUnreachable(socketPath: string, err: unknown): HubError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const evidence = [`${socketPath}: ${describeError(err)}`];
  if (code === 'EACCES' || code === 'EPERM') {
    return new HubError(503, 'docker-permission', `Permission denied on the Docker socket ${socketPath}.`, {
      evidence,
      fix: 'Add your user to the docker group (sudo usermod -aG docker $USER), then log out and in again.',
    });
  }
  if (code === 'ENOENT') {
    return new HubError(
      503,
      'docker-not-running',
      `Docker is not running: there is no socket at ${socketPath}.`,
      {
        evidence,
        fix: 'Start Docker (Docker Desktop, or: sudo systemctl start docker), or set docker.socketPath.',
      },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new HubError(
      503,
      'docker-not-running',
      `Docker is not running: nothing answers on the socket ${socketPath}.`,
      { evidence, fix: 'Start the Docker daemon (Docker Desktop, or: sudo systemctl start docker).' },
    );
  }
  return new HubError(
    503,
    'docker-unreachable',
    `Cannot talk to Docker at ${socketPath}: ${describeError(err)}.`,
    {
      evidence,
      fix: 'Check that the Docker daemon is running and that docker.socketPath is right.',
    },
  );
}

/** Docker API 1.40 = Docker 19.03, the oldest engine the spawner's requests are written for. */
const MIN_API_MINOR = 40;

export interface DockerStatus {
  ok: boolean;
  socketPath: string;
  version?: string;
  apiVersion?: string;
  problem?: HubError;
}

/** A dockerode client bound to one socket, with a quick health check that never throws. */
export class DockerClient {
  readonly api: Docker;

  constructor(readonly socketPath: string) {
    this.api = new Docker({ socketPath, timeout: 0 });
  }

  async status(timeoutMs = 2000): Promise<DockerStatus> {
    try {
      const v = await withTimeout(this.api.version(), timeoutMs, () =>
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }),
      );
      const [major = 0, minor = 0] = String(v.ApiVersion ?? '0.0')
        .split('.')
        .map(Number);
      if (major < 1 || (major === 1 && minor < MIN_API_MINOR)) {
        const problem = new HubError(
          503,
          'docker-too-old',
          `Docker ${v.Version} at ${this.socketPath} is too old (API ${v.ApiVersion}; TeamHub needs 1.${MIN_API_MINOR} or newer).`,
          {
            fix: 'Upgrade Docker (Docker 19.03 or newer).',
          },
        );
        return {
          ok: false,
          socketPath: this.socketPath,
          version: v.Version,
          apiVersion: v.ApiVersion,
          problem,
        };
      }
      return { ok: true, socketPath: this.socketPath, version: v.Version, apiVersion: v.ApiVersion };
    } catch (err) {
      return { ok: false, socketPath: this.socketPath, problem: dockerUnreachable(this.socketPath, err) };
    }
  }

  /** Throws the plain-sentence HubError when the engine does not answer. */
  async ensureReachable(): Promise<void> {
    const s = await this.status();
    if (!s.ok && s.problem) throw s.problem;
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(makeError()), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Splits Docker's multiplexed (non-TTY) log buffer into text; falls back to raw text for TTY logs. */
export function demuxLogs(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const stream = buf[i];
    const size = buf.readUInt32BE(i + 4);
    const zeros = buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0;
    if (!(stream === 0 || stream === 1 || stream === 2) || !zeros || i + 8 + size > buf.length) {
      return buf.toString('utf8');
    }
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

export interface ContainerEvent {
  id: string;
  action: string;
  exitCode?: number;
}

/**
 * Follows the engine's container events for one hub's containers (by label), reconnecting with
 * backoff when the stream ends; returns a function that stops watching.
 */
export function watchContainerEvents(
  client: DockerClient,
  hubId: string,
  onEvent: (e: ContainerEvent) => void,
  /** Called when the engine answers again after it was unreachable (Docker restarted or started late). */
  onBack: () => void = () => undefined,
): () => void {
  let stopped = false;
  let lost = false;
  let stream: NodeJS.ReadableStream | undefined;
  let delay = 1000;
  let timer: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (stopped) return;
    try {
      stream = (await client.api.getEvents({
        filters: { type: ['container'], event: ['die', 'destroy', 'oom'], label: [`${LABEL_HUB}=${hubId}`] },
      })) as NodeJS.ReadableStream;
      delay = 1000;
      if (lost) {
        lost = false;
        onBack();
      }
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          try {
            const e = JSON.parse(line) as {
              id?: string;
              Action?: string;
              Actor?: { Attributes?: Record<string, string> };
            };
            const code = e.Actor?.Attributes?.exitCode;
            if (e.id && e.Action)
              onEvent({
                id: e.id,
                action: e.Action,
                ...(code !== undefined ? { exitCode: Number(code) } : {}),
              });
          } catch {
            // a partial or foreign line: skip it
          }
        }
      });
      stream.on('end', retry);
      stream.on('error', retry);
    } catch {
      retry();
    }
  };
  const retry = () => {
    lost = true;
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 30_000);
  };
  void connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  };
}

/** True when a dockerode error carries this HTTP status (404 no such object, 304 not modified…). */
export function isStatus(err: unknown, status: number): boolean {
  return (err as { statusCode?: number } | undefined)?.statusCode === status;
}
