import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Child, freePort, startChild, waitUntil } from '../lib/proc.js';

export const SINGLEUSER_IMAGE = process.env.TEAMHUB_TEST_IMAGE ?? 'teamhub/singleuser:bookworm';

/** The real `teamhub serve` (bin/teamhub.js → dist) with a fresh data folder and a config-file admin token. */
export class TeamHubCli {
  child!: Child;
  url = '';
  dataDir = '';
  readonly adminToken = crypto.randomBytes(24).toString('hex');
  /** Start of this hub's container and volume names, so the bench can remove whatever it left. */
  readonly namePrefix = `thbench${crypto.randomBytes(3).toString('hex')}`;
  /** Milliseconds from spawning the process to /hub/api answering. */
  coldStartMs = 0;

  async start(): Promise<this> {
    const port = await freePort();
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-bench-'));
    const config = {
      apiTokens: { [this.adminToken]: 'admin' },
      auth: { adminUsers: ['admin'] },
      docker: {
        image: SINGLEUSER_IMAGE,
        namePrefix: this.namePrefix,
        internalPort: 0,
        startTimeoutSeconds: 180,
      },
    };
    const file = path.join(this.dataDir, 'bench-config.json');
    fs.writeFileSync(file, JSON.stringify(config));
    this.url = `http://127.0.0.1:${port}`;
    const since = performance.now();
    // BENCH_CPU_PROF=<folder> writes a V8 CPU profile of the hub (open it in Chrome DevTools).
    const prof = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    this.child = startChild(process.execPath, [
      ...prof,
      path.resolve('bin/teamhub.js'),
      'serve',
      '--config',
      file,
      '--data-dir',
      this.dataDir,
      '--port',
      String(port),
    ]);
    this.coldStartMs = await waitUntil(`${this.url}/hub/api`, (a) => a.status === 200, {
      timeoutMs: 30_000,
      intervalMs: 5,
      since,
      what: 'teamhub serve',
      child: this.child,
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.child?.stop();
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
