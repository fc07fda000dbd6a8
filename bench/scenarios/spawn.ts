import { createUsers, hubCall, newToken } from '../lib/hub-rest.js';
import type { BenchOptions } from '../lib/options.js';
import { sleep, waitUntil } from '../lib/proc.js';
import { percentile } from '../lib/stats.js';
import type { Row } from '../lib/types.js';
import type { RawDocker } from '../peers/raw-docker.js';
import type { TeamHubCli } from '../peers/teamhub-cli.js';

export const NO_DOCKERSPAWNER =
  'JupyterHub 3.0 + DockerSpawner: not feasible here; dockerspawner is published on PyPI only (no Debian package), and PyPI is not reachable from these machines.';

class TeamHubSpawns {
  private n = 0;
  constructor(
    private readonly hub: TeamHubCli,
    private readonly admin: string,
  ) {}

  /** Milliseconds from POST …/server to /user/<name>/api answering through TeamHub's proxy. */
  async spawn(): Promise<{ user: string; ms: number }> {
    const user = `spawn${this.n++}`;
    await createUsers(this.hub.url, this.admin, [user]);
    const since = performance.now();
    await hubCall(this.hub.url, this.admin, 'POST', `/hub/api/users/${user}/server`, {});
    const ms = await waitUntil(
      `${this.hub.url}/user/${user}/api`,
      (a) => a.status === 200 && a.body.includes('version'),
      { timeoutMs: 180_000, since, what: `TeamHub server of ${user}`, child: this.hub.child },
    );
    return { user, ms };
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
  await th.stopServers([(await th.spawn()).user]);
  await raw.spawn();
  await raw.removeAll();
  for (let round = 0; round < o.spawnRounds; round++) {
    progress(`spawn: round ${round + 1}/${o.spawnRounds}`);
    const order = round % 2 === 0 ? ['teamhub', 'docker'] : ['docker', 'teamhub'];
    for (const peer of order) {
      if (peer === 'teamhub') {
        const { user, ms } = await th.spawn();
        (single.samples.teamhub ??= []).push(ms / 1000);
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
    const results = await Promise.all(Array.from({ length: n }, () => th.spawn()));
    const times = results.map((r) => r.ms / 1000);
    p50.samples.teamhub = [percentile(times, 50)];
    p95.samples.teamhub = [percentile(times, 95)];
    await th.stopServers(results.map((r) => r.user));
    progress(`${label}: docker run`);
    const rawTimes = (await Promise.all(Array.from({ length: n }, () => raw.spawn()))).map((ms) => ms / 1000);
    p50.samples.docker = [percentile(rawTimes, 50)];
    p95.samples.docker = [percentile(rawTimes, 95)];
    await raw.removeAll();
    rows.push(p50, p95);
  }
  return rows;
}
