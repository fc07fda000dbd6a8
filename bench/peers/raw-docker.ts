import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { promisify } from 'node:util';
import { waitUntil } from '../lib/proc.js';
import { SINGLEUSER_IMAGE } from './teamhub-cli.js';

const run = promisify(execFile);

/**
 * The host's address on Docker's default bridge. Node lists no address for docker0 while no container
 * runs (the link is down), and this engine reports no Gateway: take the subnet's first address.
 */
export async function dockerBridgeIp(): Promise<string> {
  const { stdout } = await run('docker', [
    'network',
    'inspect',
    'bridge',
    '-f',
    '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}};{{end}}',
  ]);
  const first = stdout.split(';').map((s) => s.trim().split(' '))[0] ?? [];
  const [subnet, gateway] = first;
  if (gateway) return gateway;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(subnet ?? '');
  if (!m)
    throw new Error(`Docker's bridge network has no IPv4 subnet (${stdout.trim()}); is dockerd running?`);
  return `${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) + 1}`;
}

/**
 * The lower bound of a spawn: `docker run` of the same image and command, answering through no proxy.
 * jupyterhub-singleuser will not listen before its hub API answers, so a minimal stand-in answers
 * every call on the Docker bridge with a JupyterHub version, as fast as a hub could.
 */
export class RawDocker {
  private server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-jupyterhub-version': '3.0.0' });
    res.end('{"version":"3.0.0"}');
  });
  private apiUrl = '';
  readonly namePrefix = `thbench-raw-${crypto.randomBytes(3).toString('hex')}`;
  private n = 0;

  async start(): Promise<this> {
    const ip = await dockerBridgeIp();
    await new Promise<void>((resolve) => this.server.listen(0, ip, resolve));
    this.apiUrl = `http://${ip}:${(this.server.address() as net.AddressInfo).port}/hub/api`;
    return this;
  }

  /** Milliseconds from running `docker run` to the server answering /user/<name>/api. */
  async spawn(): Promise<number> {
    const user = `raw${this.n++}`;
    const name = `${this.namePrefix}-${user}`;
    const prefix = `/user/${user}/`;
    const env = {
      JUPYTERHUB_API_TOKEN: crypto.randomBytes(16).toString('hex'),
      JUPYTERHUB_CLIENT_ID: `jupyterhub-user-${user}`,
      JUPYTERHUB_API_URL: this.apiUrl,
      JUPYTERHUB_ACTIVITY_URL: `${this.apiUrl}/users/${user}/activity`,
      JUPYTERHUB_OAUTH_CALLBACK_URL: `${prefix}oauth_callback`,
      JUPYTERHUB_SERVICE_PREFIX: prefix,
      JUPYTERHUB_SERVICE_URL: `http://0.0.0.0:8888${prefix}`,
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_HOST: '',
      JUPYTERHUB_USER: user,
      JUPYTERHUB_SERVER_NAME: '',
    };
    const since = performance.now();
    const args = [
      'run',
      '-d',
      '--name',
      name,
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      SINGLEUSER_IMAGE,
    ];
    await run('docker', args);
    const { stdout } = await run('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name]);
    return waitUntil(
      `http://${stdout.trim()}:8888${prefix}api`,
      (a) => a.status === 200 && a.body.includes('version'),
      {
        timeoutMs: 600_000,
        since,
        what: `docker run ${name}`,
      },
    );
  }

  /** Removes every container this bench run made with `docker run`. */
  async removeAll(): Promise<void> {
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `name=${this.namePrefix}-`]);
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length) await run('docker', ['rm', '-f', ...ids]);
  }

  async stop(): Promise<void> {
    await this.removeAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Removes containers and volumes whose names start with a prefix (a TeamHub bench hub's leftovers). */
export async function removeByPrefix(prefix: string): Promise<void> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `name=${prefix}`]);
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length) await run('docker', ['rm', '-f', ...ids]);
  const vols = await run('docker', ['volume', 'ls', '-q', '--filter', `name=${prefix}`]);
  const names = vols.stdout.split('\n').filter(Boolean);
  if (names.length) await run('docker', ['volume', 'rm', '-f', ...names]);
}
