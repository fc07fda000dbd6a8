import type { HubConfig } from '../config/schema.js';
import { HubError, describeError } from '../errors.js';
import { type DockerClient, isStatus, withTimeout } from './docker-client.js';

export interface Progress {
  progress: number;
  message: string;
}

/** Field case F13: missing images are pulled with progress, shared between spawns, and failures named. */
export class ImagePuller {
  constructor(
    private readonly docker: DockerClient,
    private readonly cfg: HubConfig['docker'],
  ) {}

  /** Pulls in progress, by image: concurrent spawns of one missing image share one pull (F13). */
  private readonly pulls = new Map<string, Promise<void>>();
  private readonly pullWatchers = new Map<string, Set<(p: Progress) => void>>();

  /** Makes sure the image is present, pulling it when missing. */
  async ensure(image: string, onProgress: (p: Progress) => void): Promise<void> {
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

  private dockerError(what: string, err: unknown): HubError {
    const message = (err as { json?: { message?: string } }).json?.message ?? describeError(err);
    return new HubError(502, 'docker-error', `Docker could not ${what}: ${message}.`, { cause: err });
  }
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
      fix: 'Run docker login <registry> on this machine as the user running TeamHub, or set docker.image to a public image.',
    });
  }
  return new HubError(502, 'image-pull', `Pulling the image ${image} failed.`, {
    evidence: [text],
    fix: `Check docker.image, this machine's network and the registry address (docker pull ${image} shows more); starting again resumes the pull.`,
  });
}
