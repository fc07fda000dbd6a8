import { HubError, describeError } from './errors.js';
import type { DockerClient } from './spawner/docker-client.js';

/** First host address of an IPv4 subnet like 172.17.0.0/16 (Docker's convention for the gateway). */
export function firstHostAddress(subnet: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(subnet);
  if (!m) return undefined;
  const n = m.slice(1, 5).reduce((acc, part) => acc * 256 + Number(part), 0) + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Where the hub listens for containers (`bind`) and the host name it gives them (`advertise`). */
export interface HubAddress {
  bind: string;
  advertise: string;
}

/**
 * The decision, apart from Docker: on a Linux Docker host, the network's gateway (the host's end of
 * the bridge; the default bridge reports no Gateway on some engines, so the subnet's first address
 * too). With Docker Desktop the engine runs in a VM: containers reach the host as
 * host.docker.internal, which Desktop forwards to the host's loopback, so the hub listens on
 * 127.0.0.1 there. Whichever is chosen is then proven from a container.
 */
export function hubAddressCandidates(
  engineOs: string,
  ipam: { Gateway?: string; Subnet?: string }[],
): HubAddress[] {
  const bridge = ipam.flatMap((c) => [c.Gateway, c.Subnet ? firstHostAddress(c.Subnet) : undefined]);
  const ips = [...new Set(bridge.filter((ip): ip is string => !!ip && !ip.includes(':')))];
  const direct = ips.map((ip) => ({ bind: ip, advertise: ip }));
  return /docker desktop/i.test(engineOs)
    ? [{ bind: '127.0.0.1', advertise: 'host.docker.internal' }, ...direct]
    : direct;
}

/**
 * Candidate addresses for containers on `network` to reach the hub, for this engine. (The bridge
 * interface is DOWN while no container is attached, so the OS interface list cannot be asked; the
 * caller tries to bind each candidate instead.)
 */
export async function hubConnectCandidates(docker: DockerClient, network: string): Promise<HubAddress[]> {
  let info: { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } };
  let engineOs = '';
  try {
    info = (await docker.api.getNetwork(network).inspect()) as typeof info;
    engineOs = ((await docker.api.info()) as { OperatingSystem?: string }).OperatingSystem ?? '';
  } catch (err) {
    throw new HubError(
      503,
      'docker-network',
      `Cannot read the Docker network "${network}": ${describeError(err)}.`,
      {
        fix: 'Check docker.network; `docker network ls` lists the networks that exist.',
      },
    );
  }
  return hubAddressCandidates(engineOs, info.IPAM?.Config ?? []);
}
