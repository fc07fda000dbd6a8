import { HubError, describeError } from './errors.js';
import type { DockerClient } from './spawner/docker-client.js';

/** First host address of an IPv4 subnet like 172.17.0.0/16 (Docker's convention for the gateway). */
export function firstHostAddress(subnet: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(subnet);
  if (!m) return undefined;
  const n = m.slice(1, 5).reduce((acc, part) => acc * 256 + Number(part), 0) + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * Addresses of this machine that containers on `network` may reach: the network's gateway, the host's
 * own end of the bridge. Docker's default bridge reports no Gateway on some engines, so the subnet's
 * first address is a candidate too. (The bridge interface is DOWN while no container is attached, so
 * the OS interface list cannot be asked; the caller tries to bind each candidate instead.) Proving the
 * choice from inside a container is issue 4's work.
 */
export async function hubConnectCandidates(docker: DockerClient, network: string): Promise<string[]> {
  let info: { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } };
  try {
    info = (await docker.api.getNetwork(network).inspect()) as typeof info;
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
  const candidates = (info.IPAM?.Config ?? []).flatMap((c) => [
    c.Gateway,
    c.Subnet ? firstHostAddress(c.Subnet) : undefined,
  ]);
  return [...new Set(candidates.filter((ip): ip is string => !!ip && !ip.includes(':')))];
}
