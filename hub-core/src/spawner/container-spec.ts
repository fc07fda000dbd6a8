import type { HubConfig } from '../config/schema.js';
import { HubError } from '../errors.js';

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

/**
 * Everything that shapes a container, secrets left out: recorded in a label so that a running
 * container made under other settings is noticed (and named) after a hub restart.
 */
export function specOf(
  cfg: HubConfig['docker'],
  env: Record<string, string>,
  image = cfg.image,
): ContainerSpec {
  const { JUPYTERHUB_API_TOKEN: _t, JPY_API_TOKEN: _j, ...visible } = { ...env, ...cfg.env };
  return {
    image,
    cmd: cfg.cmd ?? null,
    network: cfg.network,
    homeMount: cfg.homeMount,
    memLimit: cfg.memLimit ?? null,
    cpuLimit: cfg.cpuLimit ?? null,
    env: visible,
  };
}

/** The images a person may start: the default first, then the admin's extra choices. */
export function offeredImages(cfg: HubConfig['docker']): string[] {
  return [...new Set([cfg.image, ...cfg.allowedImages])];
}

/**
 * The image a server starts from: the `image` user option (DockerSpawner's name for it) when it is
 * one the admin offers, else the default. Anything else is refused in words, never started.
 */
export function imageFor(cfg: HubConfig['docker'], userOptions: Record<string, unknown>): string {
  const wanted = userOptions.image;
  if (wanted === undefined || wanted === null || wanted === '') return cfg.image;
  const offered = offeredImages(cfg);
  if (typeof wanted === 'string' && offered.includes(wanted)) return wanted;
  throw new HubError(
    400,
    'image-not-offered',
    `The image ${JSON.stringify(wanted)} is not offered on this hub.`,
    {
      fix: `Choose one of: ${offered.join(', ')} (an admin can add images in docker.allowedImages).`,
    },
  );
}
