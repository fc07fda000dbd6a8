import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { trackChild } from './cleanup.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  log: string[];
  stop(): Promise<void>;
}

/** A peer process whose output is kept (last lines shown on failure) and which dies with the bench. */
export function startChild(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; ipc?: boolean } = {},
): Child {
  const proc = spawn(command, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  trackChild(proc);
  const log: string[] = [];
  const keep = (b: Buffer) => {
    log.push(...b.toString('utf8').split('\n').filter(Boolean));
    if (log.length > 400) log.splice(0, log.length - 200);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  if (proc.pid === undefined) throw new Error(`could not start ${command}`);
  return {
    proc,
    pid: proc.pid,
    log,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One request with a timeout (Node's fetch can hang on a peer that accepts and closes). */
export function httpRequest(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Polls until `ok` accepts an answer; returns the elapsed milliseconds since `since`. */
export async function waitUntil(
  url: string,
  ok: (a: HttpAnswer) => boolean,
  o: {
    timeoutMs: number;
    since?: number;
    intervalMs?: number;
    headers?: Record<string, string>;
    what: string;
    child?: Child;
  },
): Promise<number> {
  const since = o.since ?? performance.now();
  const until = Date.now() + o.timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < until) {
    if (o.child && o.child.proc.exitCode !== null)
      throw new Error(`${o.what} exited (${o.child.proc.exitCode}):\n${o.child.log.slice(-15).join('\n')}`);
    try {
      const a = await httpRequest(url, { headers: o.headers ?? {}, timeoutMs: 2000 });
      if (ok(a)) return performance.now() - since;
      last = `${a.status} ${a.body.slice(0, 120)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(o.intervalMs ?? 20);
  }
  const tail = o.child ? `\n${o.child.log.slice(-15).join('\n')}` : '';
  throw new Error(`${o.what} did not answer at ${url} within ${o.timeoutMs} ms (last: ${last})${tail}`);
}

/** Resident memory of one process, in MiB (Linux /proc). */
export function processRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** Resident memory of a process and all its descendants, in MiB (Linux /proc). */
export function treeRssMiB(pid: number): number {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces: the fields after its closing parenthesis are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  let kib = 0;
  for (const p of tree) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      kib += Number(m?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return kib / 1024;
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name; clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
