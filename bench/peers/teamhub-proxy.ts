import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from '../lib/cleanup.js';
import { type Child, freePort, startChild } from '../lib/proc.js';

function nextMessage(child: Child, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`TeamHub proxy did not answer:\n${child.log.slice(-15).join('\n')}`)),
      timeoutMs,
    );
    child.proc.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as Record<string, unknown>);
    });
  });
}

/** TeamHub's hub process used as a proxy: routes are put straight into its route table. */
export class TeamHubProxy {
  child!: Child;
  url = '';

  async start(): Promise<this> {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamhub-bench-proxy-'));
    onCleanup(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const script = fileURLToPath(new URL('./teamhub-proxy-child.ts', import.meta.url));
    // BENCH_CPU_PROF=<folder> writes a V8 CPU profile of the proxy (open it in Chrome DevTools).
    const prof = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    this.child = startChild(process.execPath, [...prof, '--import', 'tsx', script, String(port), dataDir], {
      ipc: true,
    });
    const m = await nextMessage(this.child, 30_000);
    if (!m.ready) throw new Error(`TeamHub proxy: unexpected ${JSON.stringify(m)}`);
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async ensureRoutes(count: number, target: string): Promise<void> {
    const answer = nextMessage(this.child, 30_000);
    this.child.proc.send({ routes: count, target });
    await answer;
  }
}
