import type Docker from 'dockerode';
import type { HubContext } from '../context.js';
import { serverPrefix } from '../spawner/names.js';
import { withTimeout } from '../spawner/docker-client.js';
import type { ServerRow, UserRow } from '../store/store.js';

export interface ContainerView {
  user: string;
  server: string;
  status: ServerRow['status'];
  url: string;
  containerName: string | null;
  image: string | null;
  started: string | null;
  lastActivity: string | null;
  /** CPU use in percent of one core, memory in bytes: from Docker's stats, when the container runs. */
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  exitCode: number | null;
  failure: ServerRow['failure'];
}

type Stats = Docker.ContainerStats;

/** CPU percent as `docker stats` computes it: container delta over system delta, times online CPUs. */
export function cpuPercent(s: Stats): number | null {
  const cpu = s.cpu_stats?.cpu_usage?.total_usage;
  const preCpu = s.precpu_stats?.cpu_usage?.total_usage;
  const sys = s.cpu_stats?.system_cpu_usage;
  const preSys = s.precpu_stats?.system_cpu_usage;
  if (cpu === undefined || preCpu === undefined || sys === undefined || preSys === undefined) return null;
  const online = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
  const dSys = sys - preSys;
  if (dSys <= 0) return 0;
  return Math.round(((cpu - preCpu) / dSys) * online * 1000) / 10;
}

/** Memory as `docker stats` shows it: usage minus page cache (cgroup v1 `cache`, v2 `inactive_file`). */
export function memoryBytes(s: Stats): number | null {
  const usage = s.memory_stats?.usage;
  if (usage === undefined) return null;
  const st = s.memory_stats.stats as Record<string, number> | undefined;
  const cache = st?.total_inactive_file ?? st?.inactive_file ?? st?.cache ?? 0;
  return Math.max(0, usage - cache);
}

interface Detail {
  image: string | null;
  cpu: number | null;
  mem: number | null;
  limit: number | null;
}

async function detailOf(ctx: HubContext, id: string): Promise<Detail> {
  const c = ctx.docker.api.getContainer(id);
  const none: Detail = { image: null, cpu: null, mem: null, limit: null };
  const timeout = () => new Error('docker did not answer');
  try {
    const info = await withTimeout(c.inspect(), 3000, timeout);
    const detail: Detail = { ...none, image: info.Config?.Image ?? null };
    if (!info.State?.Running) return detail;
    const stats = (await withTimeout(c.stats({ stream: false }), 4000, timeout)) as Stats;
    const limit = stats.memory_stats?.limit;
    return {
      ...detail,
      cpu: cpuPercent(stats),
      mem: memoryBytes(stats),
      // Without a limit Docker reports the host's memory: only a real limit is worth showing.
      limit: ctx.config.docker.memLimit && limit ? limit : null,
    };
  } catch {
    return none;
  }
}

/** Every server the hub knows, with what Docker says about its container right now. */
export async function containerViews(
  ctx: HubContext,
  filter?: (u: UserRow) => boolean,
): Promise<ContainerView[]> {
  const rows = ctx.store
    .listServers()
    .map((s) => ({ s, u: ctx.store.getUserById(s.user_id) }))
    .filter((x): x is { s: ServerRow; u: UserRow } => !!x.u && (!filter || filter(x.u)));
  return Promise.all(
    rows.map(async ({ s, u }) => {
      const d = s.container_id ? await detailOf(ctx, s.container_id) : undefined;
      return {
        user: u.name,
        server: s.name,
        status: s.status,
        url: serverPrefix(u.name, s.name),
        containerName: s.container_name,
        image: d?.image ?? (s.status === 'stopped' ? null : ctx.config.docker.image),
        started: s.status === 'running' || s.status === 'spawning' ? s.started : null,
        lastActivity: s.last_activity,
        cpuPercent: d?.cpu ?? null,
        memoryBytes: d?.mem ?? null,
        memoryLimitBytes: d?.limit ?? null,
        exitCode: s.failure?.exitCode ?? null,
        failure: s.failure,
      };
    }),
  );
}
