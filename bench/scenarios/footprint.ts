import { onCleanup } from '../lib/cleanup.js';
import type { BenchOptions } from '../lib/options.js';
import { processRssMiB, sleep, treeRssMiB } from '../lib/proc.js';
import type { PeerId, Row } from '../lib/types.js';
import { churn } from '../lib/ws-client.js';
import type { Chp } from '../peers/chp.js';
import { JupyterHub3 } from '../peers/jupyterhub.js';
import { removeByPrefix } from '../peers/raw-docker.js';
import { TeamHubCli } from '../peers/teamhub-cli.js';

/** Cold start to /hub/api answering, then resident memory after an idle pause (hub + its proxy). */
export async function coldStartScenario(o: BenchOptions, progress: (msg: string) => void): Promise<Row[]> {
  const cold: Row = {
    scenario: 'hub cold start → /hub/api answers',
    metric: 'ms',
    better: 'lower',
    samples: {},
    targets: [{ kind: 'absolute', op: '<=', value: 300 }],
  };
  const rss: Row = {
    scenario: `idle RSS, hub + its proxy (${o.idleSeconds} s after start)`,
    metric: 'MiB',
    better: 'lower',
    samples: {},
    targets: [{ kind: 'ratio', peer: 'jupyterhub', op: '<=', value: 0.6 }],
  };
  for (let round = 0; round < o.footprintRounds; round++) {
    const order: ('teamhub' | 'jupyterhub')[] =
      round % 2 === 0 ? ['teamhub', 'jupyterhub'] : ['jupyterhub', 'teamhub'];
    for (const peer of order) {
      progress(`cold start: round ${round + 1}/${o.footprintRounds}, ${peer}`);
      const hub = peer === 'teamhub' ? new TeamHubCli() : new JupyterHub3();
      onCleanup(() => hub.stop());
      if (hub instanceof TeamHubCli) onCleanup(() => removeByPrefix(hub.namePrefix));
      await hub.start();
      (cold.samples[peer] ??= []).push(hub.coldStartMs);
      await sleep(o.idleSeconds * 1000);
      (rss.samples[peer] ??= []).push(treeRssMiB(hub.child.pid));
      await hub.stop();
    }
  }
  return [cold, rss];
}

/** Proxy memory before and after many websocket open/close cycles and an idle pause. */
export async function churnScenario(
  o: BenchOptions,
  proxies: { teamhub: { url: string; child: { pid: number } }; chp: Chp },
  progress: (msg: string) => void,
): Promise<Row[]> {
  const label = `proxy RSS, ${o.churnCycles.toLocaleString('en')} ws open/close`;
  const before: Row = { scenario: label, metric: 'MiB before', better: 'lower', samples: {} };
  const peak: Row = { scenario: label, metric: 'MiB right after', better: 'lower', samples: {} };
  const after: Row = {
    scenario: label,
    metric: `MiB +${o.churnIdleSeconds} s idle`,
    better: 'lower',
    samples: {},
  };
  const growth: Row = {
    scenario: label,
    metric: 'after idle ÷ before',
    better: 'lower',
    samples: {},
    targets: [{ kind: 'absolute', op: '<=', value: 1.1 }],
  };
  const peers: { peer: PeerId; url: string; pid: number }[] = [
    { peer: 'teamhub', url: proxies.teamhub.url, pid: proxies.teamhub.child.pid },
    { peer: 'chp', url: proxies.chp.url, pid: proxies.chp.child.pid },
  ];
  for (const p of peers) {
    const ws = `${p.url.replace('http', 'ws')}/user/u0/api/kernels/k/channels`;
    const start = processRssMiB(p.pid);
    progress(`${label}: ${p.peer}`);
    await churn(ws, o.churnCycles, 20);
    const right = processRssMiB(p.pid);
    await sleep(o.churnIdleSeconds * 1000);
    const end = processRssMiB(p.pid);
    before.samples[p.peer] = [start];
    peak.samples[p.peer] = [right];
    after.samples[p.peer] = [end];
    growth.samples[p.peer] = [end / start];
  }
  return [before, peak, after, growth];
}
