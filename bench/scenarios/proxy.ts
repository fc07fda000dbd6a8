import { assertClean, runLoad } from '../lib/load.js';
import type { BenchOptions } from '../lib/options.js';
import { rotation } from '../lib/options.js';
import { cpuMs } from '../lib/proc.js';
import type { PeerId, Row } from '../lib/types.js';
import { roundTrips } from '../lib/ws-client.js';
import type { Backend } from '../peers/backend.js';
import type { Chp } from '../peers/chp.js';
import type { TeamHubProxy } from '../peers/teamhub-proxy.js';

interface Target {
  peer: PeerId;
  base: string;
  /** The process whose CPU time is the proxy's cost (the backend for "direct"). */
  pid: number;
}

const add = (row: Row, peer: PeerId, v: number) => (row.samples[peer] ??= []).push(v);

/** HTTP req/s, latency and CPU per request, and websocket round trips, through each proxy and direct. */
export async function proxyScenario(
  o: BenchOptions,
  peers: { teamhub: TeamHubProxy; chp: Chp; backend: Backend },
  progress: (msg: string) => void,
): Promise<Row[]> {
  const rows: Row[] = [];
  const targets: Target[] = [
    { peer: 'teamhub', base: peers.teamhub.url, pid: peers.teamhub.child.pid },
    { peer: 'chp', base: peers.chp.url, pid: peers.chp.child.pid },
    { peer: 'direct', base: peers.backend.url, pid: peers.backend.child.pid },
  ];
  for (const n of o.routeCounts) {
    await peers.teamhub.ensureRoutes(n, peers.backend.url);
    await peers.chp.ensureRoutes(n, peers.backend.url);
    const paths = Array.from({ length: n }, (_, i) => `/user/u${i}/api/contents?x=${i}`);
    const label = `proxy HTTP, ${n} route${n === 1 ? '' : 's'}`;
    const rps: Row = {
      scenario: label,
      metric: 'req/s',
      better: 'higher',
      samples: {},
      targets: [
        { kind: 'ratio', peer: 'chp', op: '>=', value: 3 },
        { kind: 'ratio', peer: 'direct', op: '>=', value: 0.4 },
      ],
    };
    const p50: Row = { scenario: label, metric: 'p50 ms', better: 'lower', samples: {} };
    const p99: Row = { scenario: label, metric: 'p99 ms', better: 'lower', samples: {} };
    const cpu: Row = { scenario: label, metric: 'CPU µs/req', better: 'lower', samples: {} };
    const ws = `websocket, ${n} route${n === 1 ? '' : 's'}`;
    const wsP50: Row = { scenario: ws, metric: 'RTT p50 µs', better: 'lower', samples: {} };
    const wsP99: Row = { scenario: ws, metric: 'RTT p99 µs', better: 'lower', samples: {} };
    const wsOver: Row = {
      scenario: ws,
      metric: 'p99 overhead µs',
      better: 'lower',
      samples: {},
      targets: [{ kind: 'ratio', peer: 'chp', op: '<=', value: 0.5 }],
    };
    for (const t of targets)
      await runLoad({ base: t.base, paths, connections: o.connections, seconds: o.warmupSeconds });
    for (let round = 0; round < o.rounds; round++) {
      const wsP99ByPeer: Partial<Record<PeerId, number>> = {};
      for (const t of rotation(targets, round)) {
        progress(`${label}: round ${round + 1}/${o.rounds}, ${t.peer}`);
        const cpu0 = cpuMs(t.pid);
        const r = assertClean(
          await runLoad({ base: t.base, paths, connections: o.connections, seconds: o.loadSeconds }),
          `${label} via ${t.peer}`,
        );
        add(cpu, t.peer, ((cpuMs(t.pid) - cpu0) * 1000) / r.requests);
        add(rps, t.peer, r.rps);
        add(p50, t.peer, r.p50Ms);
        add(p99, t.peer, r.p99Ms);
        const wsUrl = `${t.base.replace('http', 'ws')}/user/u${n - 1}/api/kernels/k/channels`;
        const w = await roundTrips(wsUrl, o.wsMessages);
        add(wsP50, t.peer, w.p50Us);
        add(wsP99, t.peer, w.p99Us);
        wsP99ByPeer[t.peer] = w.p99Us;
      }
      // A hop cannot make a round trip faster: below zero is the direct run's noise, counted as no overhead.
      for (const peer of ['teamhub', 'chp'] as const)
        add(wsOver, peer, Math.max(0, (wsP99ByPeer[peer] ?? NaN) - (wsP99ByPeer.direct ?? NaN)));
    }
    rows.push(rps, p50, p99, cpu, wsP50, wsP99, wsOver);
  }
  return rows;
}
