// Short-lived helper containers: proving addresses in both directions, running checks in the image.
import type { HubConfig } from './config/schema.js';
import { describeError } from './errors.js';
import { probeHttp } from './http-probe.js';
import {
  DockerClient,
  LABEL_HUB,
  LABEL_MANAGED,
  LABEL_PROBE,
  demuxLogs,
  withTimeout,
} from './spawner/docker-client.js';

/** Removes a hub's probe containers that outlived their check (the hub stopped mid-probe). */
export async function removeProbes(docker: DockerClient, hubId: string): Promise<void> {
  const list = await docker.api.listContainers({
    all: true,
    filters: { label: [`${LABEL_PROBE}=true`, `${LABEL_HUB}=${hubId}`] },
  });
  await Promise.all(
    list.map((c) =>
      docker.api
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** Runs a short-lived container of the configured image and returns its exit code and output. */
export async function runProbe(
  docker: DockerClient,
  cfg: HubConfig['docker'],
  cmd: string[],
  timeoutMs = 30_000,
  hubId?: string,
) {
  const container = await docker.api.createContainer({
    Image: cfg.image,
    Cmd: cmd,
    // Labelled with the hub, so that a hub stopping mid-probe can remove its probes (removeProbes).
    Labels: { [LABEL_MANAGED]: 'true', [LABEL_PROBE]: 'true', ...(hubId ? { [LABEL_HUB]: hubId } : {}) },
    HostConfig: { NetworkMode: cfg.network, AutoRemove: false },
  });
  try {
    await container.start();
    const result = (await withTimeout(
      container.wait(),
      timeoutMs,
      () => new Error(`no result within ${timeoutMs / 1000} s`),
    )) as {
      StatusCode: number;
    };
    const logs = demuxLogs(
      (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer,
    );
    return { code: result.StatusCode, output: logs.trim().split('\n').slice(-10) };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

export interface AddressProof {
  ok: boolean;
  /** False when the probe itself could not run (e.g. the image is missing); spawns then go ahead. */
  checked: boolean;
  url: string;
  message: string;
  evidence: string[];
  fix?: string;
  at: string;
}

/**
 * Proves that containers reach the hub at `url`: a throwaway container of the configured image
 * fetches it (field case F10). A firewall that drops the traffic shows up as a timeout in seconds.
 */
export async function probeHubFromContainer(
  docker: DockerClient,
  cfg: HubConfig['docker'],
  url: string,
  hubId?: string,
): Promise<AddressProof> {
  const at = new Date().toISOString();
  const script = 'import sys,urllib.request as u; r=u.urlopen(sys.argv[1], timeout=5); print(r.status)';
  try {
    const r = await runProbe(docker, cfg, ['python3', '-c', script, url], 20_000, hubId);
    if (r.code === 0)
      return {
        ok: true,
        checked: true,
        url,
        message: `Containers reach the hub at ${url}.`,
        evidence: [],
        at,
      };
    const timedOut = r.output.some((l) => /timed out/i.test(l));
    return {
      ok: false,
      checked: true,
      url,
      message: `Containers cannot reach the hub at ${url}${timedOut ? ': timed out' : ''}.`,
      evidence: r.output,
      fix: 'A firewall may drop traffic from the Docker network to this machine: allow it, or set docker.hubConnectIp.',
      at,
    };
  } catch (err) {
    return {
      ok: false,
      checked: false,
      url,
      message: `Could not check whether containers reach the hub at ${url}: ${describeError(err)}.`,
      evidence: [],
      fix: 'Check that the image can run python3 (every Jupyter image can).',
      at,
    };
  }
}

/**
 * Whether this machine reaches containers at their address on the Docker network: true on a Linux
 * Docker host, false with Docker Desktop or a remote engine (then ports published on 127.0.0.1 work).
 */
export async function containerIpReachable(
  docker: DockerClient,
  cfg: HubConfig['docker'],
  hubId?: string,
): Promise<{ ok: boolean; message: string; evidence: string[] }> {
  const container = await docker.api.createContainer({
    Image: cfg.image,
    Cmd: ['python3', '-m', 'http.server', '8888'],
    Labels: { [LABEL_MANAGED]: 'true', [LABEL_PROBE]: 'true', ...(hubId ? { [LABEL_HUB]: hubId } : {}) },
    HostConfig: { NetworkMode: cfg.network },
  });
  try {
    await container.start();
    const info = await container.inspect();
    const ip = info.NetworkSettings.Networks?.[cfg.network]?.IPAddress;
    if (!ip) return { ok: false, message: `A container on "${cfg.network}" got no address.`, evidence: [] };
    const until = Date.now() + 10_000;
    let last = '';
    while (Date.now() < until) {
      const r = await probeHttp(`http://${ip}:8888/`, 1000);
      if (r.status !== undefined)
        return {
          ok: true,
          message: `The hub reaches containers directly (${ip}:8888 answered).`,
          evidence: [],
        };
      last = r.error ?? '';
      await new Promise((res) => setTimeout(res, 200));
    }
    return {
      ok: false,
      message: `This machine cannot reach containers at their address on "${cfg.network}".`,
      evidence: [`${ip}:8888: ${last}`],
    };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
