// `npm run bench [-- --quick] [-- --only=proxy,churn,api,spawn,footprint]`: every peer started here, every
// scenario run against each of them in turn, one table on stdout, raw numbers in bench/results/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installSignalHandlers, interrupted, onCleanup, runCleanup } from './lib/cleanup.js';
import { parseOptions } from './lib/options.js';
import { summarize } from './lib/stats.js';
import { renderTable } from './lib/table.js';
import { evaluateRow } from './lib/targets.js';
import type { Row } from './lib/types.js';
import { startBackend } from './peers/backend.js';
import { Chp } from './peers/chp.js';
import { JupyterHub3 } from './peers/jupyterhub.js';
import { RawDocker, removeByPrefix } from './peers/raw-docker.js';
import { TeamHubCli } from './peers/teamhub-cli.js';
import { TeamHubProxy } from './peers/teamhub-proxy.js';
import { hubApiScenario } from './scenarios/hub-api.js';
import { churnScenario, coldStartScenario } from './scenarios/footprint.js';
import { proxyScenario } from './scenarios/proxy.js';
import { spawnScenario } from './scenarios/spawn.js';

const o = parseOptions(process.argv.slice(2));
const wants = (s: string) => !o.only || o.only.includes(s);
const t0 = Date.now();
const progress = (msg: string) =>
  process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
const started = new Date();
const rows: Row[] = [];

async function main(): Promise<void> {
  installSignalHandlers();
  if (!fs.existsSync('dist/hub-core/src/hub.js'))
    throw new Error('dist/ is missing: run `npm run build` first');
  progress(
    `${o.quick ? 'quick' : 'full'} run; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  if (wants('proxy') || wants('churn')) {
    const backend = await startBackend();
    onCleanup(() => backend.child.stop());
    const teamhub = new TeamHubProxy();
    onCleanup(() => teamhub.child?.stop() ?? Promise.resolve());
    const chp = new Chp();
    onCleanup(() => chp.child?.stop() ?? Promise.resolve());
    await Promise.all([teamhub.start(), chp.start()]);
    if (wants('proxy')) rows.push(...(await proxyScenario(o, { teamhub, chp, backend }, progress)));
    else {
      await teamhub.ensureRoutes(1, backend.url);
      await chp.ensureRoutes(1, backend.url);
    }
    if (wants('churn')) rows.push(...(await churnScenario(o, { teamhub, chp }, progress)));
    await Promise.all([teamhub.child.stop(), chp.child.stop(), backend.child.stop()]);
  }

  if (wants('api') || wants('spawn')) {
    const teamhub = new TeamHubCli();
    onCleanup(() => teamhub.stop());
    onCleanup(() => removeByPrefix(teamhub.namePrefix));
    await teamhub.start();
    if (wants('api')) {
      const jupyterhub = new JupyterHub3();
      onCleanup(() => jupyterhub.stop());
      await jupyterhub.start();
      rows.push(...(await hubApiScenario(o, { teamhub, jupyterhub }, progress)));
      await jupyterhub.stop();
    }
    if (wants('spawn')) {
      const raw = new RawDocker();
      onCleanup(() => raw.stop());
      await raw.start();
      rows.push(...(await spawnScenario(o, teamhub, raw, progress)));
      await raw.stop();
    }
    await teamhub.stop();
    await removeByPrefix(teamhub.namePrefix);
  }

  if (wants('footprint')) rows.push(...(await coldStartScenario(o, progress)));
}

function writeResults(error?: unknown): string {
  const dir = path.resolve('bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `${started.toISOString().replace(/[:.]/g, '-')}${o.quick ? '-quick' : ''}.json`,
  );
  const data = {
    started: started.toISOString(),
    seconds: (Date.now() - t0) / 1000,
    options: o,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      loadavgAtEnd: os.loadavg(),
    },
    ...(error ? { error: String(error) } : {}),
    rows: rows.map((r) => ({
      ...r,
      summaries: Object.fromEntries(Object.entries(r.samples).map(([k, v]) => [k, summarize(v)])),
      targetResults: evaluateRow(r),
    })),
  };
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

main().then(
  async () => {
    await runCleanup();
    const file = writeResults();
    process.stdout.write(`\n${renderTable(rows)}\n\n`);
    if (o.quick)
      process.stdout.write(
        `Quick mode: ${o.rounds} rounds of ${o.loadSeconds} s, concurrent spawns ${o.concurrentSpawns.join(' and ')} (full: 10 and 50), ${o.churnCycles} websocket cycles + ${o.churnIdleSeconds} s idle (full: 100,000 + 30 s).\n`,
      );
    process.stdout.write(`Raw numbers: ${path.relative(process.cwd(), file)}\n`);
    process.exit(0);
  },
  async (err: unknown) => {
    if (interrupted()) return;
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    await runCleanup();
    if (rows.length) process.stderr.write(`partial results: ${writeResults(err)}\n${renderTable(rows)}\n`);
    process.exit(1);
  },
);
