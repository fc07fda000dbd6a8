import { PAGINATION, createUsers, hubCall, newToken } from '../lib/hub-rest.js';
import { assertClean, runTimedLoop } from '../lib/load.js';
import { type BenchOptions, rotation } from '../lib/options.js';
import type { Row } from '../lib/types.js';
import type { JupyterHub3 } from '../peers/jupyterhub.js';
import type { TeamHubCli } from '../peers/teamhub-cli.js';

const PAGE = 200;

interface Peer {
  peer: 'teamhub' | 'jupyterhub';
  base: string;
  admin: string;
  user: string;
}

/** Both hubs with the same users; every call made with tokens issued through the API. */
async function prepare(peer: Peer['peer'], hub: TeamHubCli | JupyterHub3, users: number): Promise<Peer> {
  const names = Array.from({ length: users }, (_, i) => `user${String(i).padStart(4, '0')}`);
  await createUsers(hub.url, hub.adminToken, names);
  const admin = await newToken(hub.url, hub.adminToken, 'admin');
  const user = await newToken(hub.url, hub.adminToken, names[0] as string);
  // Equal page sizes: JupyterHub 3.0 caps a page at 200 (and cuts an unpaginated list there silently).
  const page = (await hubCall(
    hub.url,
    admin,
    'GET',
    `/hub/api/users?offset=0&limit=${PAGE}`,
    undefined,
    PAGINATION,
  )) as {
    items: unknown[];
    _pagination: { total: number };
  };
  if (page.items.length !== PAGE || page._pagination.total < users)
    throw new Error(
      `${peer}: a page of ${page.items.length} users of ${page._pagination.total}, expected ${PAGE} of ${users}+`,
    );
  return { peer, base: hub.url, admin, user };
}

export async function hubApiScenario(
  o: BenchOptions,
  hubs: { teamhub: TeamHubCli; jupyterhub: JupyterHub3 },
  progress: (msg: string) => void,
): Promise<Row[]> {
  progress(`hub API: creating ${o.users} users on each hub`);
  const peers = [
    await prepare('teamhub', hubs.teamhub, o.users),
    await prepare('jupyterhub', hubs.jupyterhub, o.users),
  ];
  const target = { kind: 'ratio', peer: 'jupyterhub', op: '>=', value: 20 } as const;
  const list = `GET /hub/api/users (${o.users} users, ${PAGE}/page)`;
  const me = 'GET /hub/api/user (token)';
  const rows: Record<string, Row> = {
    listRps: { scenario: list, metric: 'req/s', better: 'higher', samples: {}, targets: [target] },
    listP50: { scenario: list, metric: 'p50 ms', better: 'lower', samples: {} },
    listP99: { scenario: list, metric: 'p99 ms', better: 'lower', samples: {} },
    meRps: { scenario: me, metric: 'req/s', better: 'higher', samples: {}, targets: [target] },
    meP50: { scenario: me, metric: 'p50 ms', better: 'lower', samples: {} },
    meP99: { scenario: me, metric: 'p99 ms', better: 'lower', samples: {} },
  };
  const calls = [
    {
      key: 'list',
      path: `/hub/api/users?offset=0&limit=${PAGE}`,
      accept: PAGINATION,
      token: (p: Peer) => p.admin,
    },
    { key: 'me', path: '/hub/api/user', accept: 'application/json', token: (p: Peer) => p.user },
  ];
  for (const call of calls) {
    for (let round = 0; round < o.rounds; round++) {
      for (const p of rotation(peers, round)) {
        progress(`hub API ${call.path}: round ${round + 1}/${o.rounds}, ${p.peer}`);
        const r = assertClean(
          await runTimedLoop({
            base: p.base,
            path: call.path,
            headers: { authorization: `token ${call.token(p)}`, accept: call.accept },
            connections: 10,
            seconds: o.apiSeconds,
          }),
          `${call.path} on ${p.peer}`,
        );
        ((rows[`${call.key}Rps`] as Row).samples[p.peer] ??= []).push(r.rps);
        ((rows[`${call.key}P50`] as Row).samples[p.peer] ??= []).push(r.p50Ms);
        ((rows[`${call.key}P99`] as Row).samples[p.peer] ??= []).push(r.p99Ms);
      }
    }
  }
  return Object.values(rows);
}
