import { createUsers, hubCall, newToken } from '../lib/hub-rest.js';
import type { BenchOptions } from '../lib/options.js';
import { sleep, waitUntil } from '../lib/proc.js';
import { percentile } from '../lib/stats.js';
import type { Row } from '../lib/types.js';
import type { RawDocker } from '../peers/raw-docker.js';
import type { TeamHubCli } from '../peers/teamhub-cli.js';

export const NO_DOCKERSPAWNER =
  'JupyterHub 3.0 + DockerSpawner: not feasible here; dockerspawner is published on PyPI only (no Debian package), and PyPI is not reachable from these machines.';

/** Generous: 50 Python servers starting at once on 2 busy cores took longer than 180 s. */
export const SPAWN_TIMEOUT_MS = 600_000;

/** p50/p95 over the spawns that answered; the ones that did not are a footnote, not a crash. */
function record(
  p50: Row,
  p95: Row,
  peer: 'teamhub' | 'docker',
  results: PromiseSettledResult<number>[],
  n: number,
): void {
  const times = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value / 1000] : []));
  if (times.length) {
    p50.samples[peer] = [percentile(times, 50)];
    p95.samples[peer] = [percentile(times, 95)];
  }
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason).split('\n')[0]] : []));
  if (failed.length) {
    const note = `${failed.length} of ${n} spawns failed (percentiles over the rest): ${failed[0]}`;
    p50.notes = { ...p50.notes, [peer]: note };
    p95.notes = { ...p95.notes, [peer]: note };
  }
}

class TeamHubSpawns {
  private n = 0;
  constructor(
    private readonly hub: TeamHubCli,
    private readonly admin: string,
  ) {}

  nextUser(): string {
    return `spawn${this.n++}`;
  }

  /** Milliseconds from POST …/server to /user/<name>/api answering through TeamHub's proxy. */
  async spawn(user = this.nextUser()): Promise<number> {
    await createUsers(this.hub.url, this.admin, [user]);
    const since = performance.now();
    await hubCall(this.hub.url, this.admin, 'POST', `/hub/api/users/${user}/server`, {});
    return waitUntil(
      `${this.hub.url}/user/${user}/api`,
      (a) => a.status === 200 && a.body.includes('version'),
      { timeoutMs: SPAWN_TIMEOUT_MS, since, what: `TeamHub server of ${user}`, child: this.hub.child },
    );
  }

  async stopServers(users: string[]): Promise<void> {
    await Promise.all(
      users.map((u) => hubCall(this.hub.url, this.admin, 'DELETE', `/hub/api/users/${u}/server`)),
    );
    for (const u of users) {
      for (let i = 0; i < 600; i++) {
        const m = (await hubCall(this.hub.url, this.admin, 'GET', `/hub/api/users/${u}`)) as {
          servers?: object;
        };
        if (!m.servers || Object.keys(m.servers).length === 0) break;
        await sleep(100);
      }
    }
  }
}

export async function spawnScenario(
  o: BenchOptions,
  hub: TeamHubCli,
  raw: RawDocker,
  progress: (msg: string) => void,
): Promise<Row[]> {
  const admin = await newToken(hub.url, hub.adminToken, 'admin');
  const th = new TeamHubSpawns(hub, admin);
  const notes = { jupyterhub: NO_DOCKERSPAWNER };
  const single: Row = {
    scenario: 'spawn → answering via proxy',
    metric: 's',
    better: 'lower',
    samples: {},
    notes,
    targets: [{ kind: 'ratio', peer: 'docker', op: '<=', value: 1.2 }],
  };
  // One untimed spawn each first: the first container start also warms the image's files in the page cache.
  progress('spawn: warm-up');
  const warm = th.nextUser();
  await th.spawn(warm);
  await th.stopServers([warm]);
  await raw.spawn();
  await raw.removeAll();
  for (let round = 0; round < o.spawnRounds; round++) {
    progress(`spawn: round ${round + 1}/${o.spawnRounds}`);
    const order = round % 2 === 0 ? ['teamhub', 'docker'] : ['docker', 'teamhub'];
    for (const peer of order) {
      if (peer === 'teamhub') {
        const user = th.nextUser();
        (single.samples.teamhub ??= []).push((await th.spawn(user)) / 1000);
        await th.stopServers([user]);
      } else {
        (single.samples.docker ??= []).push((await raw.spawn()) / 1000);
        await raw.removeAll();
      }
    }
  }
  const rows = [single];
  for (const n of o.concurrentSpawns) {
    const label = `${n} concurrent spawns${o.quick ? ' (quick)' : ''}`;
    const p50: Row = { scenario: label, metric: 'p50 s', better: 'lower', samples: {}, notes };
    const p95: Row = { scenario: label, metric: 'p95 s', better: 'lower', samples: {}, notes };
    progress(`${label}: TeamHub`);
    const users = Array.from({ length: n }, () => th.nextUser());
    const results = await Promise.allSettled(users.map((u) => th.spawn(u)));
    record(p50, p95, 'teamhub', results, n);
    await th.stopServers(users);
    progress(`${label}: docker run`);
    record(p50, p95, 'docker', await Promise.allSettled(Array.from({ length: n }, () => raw.spawn())), n);
    await raw.removeAll();
    rows.push(p50, p95);
  }
  return rows;
}
