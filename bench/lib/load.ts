import http from 'node:http';
import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Errors and answers outside 2xx: a run with any is not a valid measurement. */
  failures: number;
}

/**
 * A fixed-duration autocannon run; `paths` are requested in turn, so every route is exercised. Runs in
 * this process (no worker threads), the same for every peer.
 */
export async function runLoad(o: {
  base: string;
  paths: string[];
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: o.base,
    connections: o.connections,
    duration: o.seconds,
    headers: o.headers ?? {},
    requests: [
      {
        setupRequest: (req) => {
          req.path = o.paths[next++ % o.paths.length] as string;
          return req;
        },
      },
    ],
  });
  const failures = result.errors + result.timeouts + result.non2xx;
  return {
    rps: result.requests.total / Math.max(result.duration, 1e-3),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures,
  };
}

export function assertClean(r: LoadResult, what: string): LoadResult {
  if (r.requests === 0 || r.failures > r.requests * 0.001)
    throw new Error(
      `${what}: ${r.failures} failed requests of ${r.requests}; the peer is not serving correctly`,
    );
  return r;
}

/**
 * A closed loop of `connections` keep-alive clients, each timing its own requests. Used for the hub
 * API: autocannon's latency percentiles against JupyterHub's Tornado server came out ~40× Little's law
 * (p50 747 ms at 829 req/s on 10 connections, where this loop measures 15 ms), while its req/s agreed.
 */
export async function runTimedLoop(o: {
  base: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const times: number[] = [];
  let failures = 0;
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = http.get(`${o.base}${o.path}`, { agent, headers: o.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) failures++;
          times.push(performance.now() - t);
          resolve();
        });
      });
      req.on('error', () => {
        failures++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return {
    rps: times.length / elapsed,
    p50Ms: times.length ? percentile(times, 50) : NaN,
    p99Ms: times.length ? percentile(times, 99) : NaN,
    requests: times.length,
    failures,
  };
}
