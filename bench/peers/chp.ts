import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { type Child, freePort, httpRequest, startChild, waitUntil } from '../lib/proc.js';

export const CHP_VERSION = '5.3.0';
const CACHE = path.resolve('node_modules/.cache/teamhub-bench/chp5');
const BIN = path.join(CACHE, 'node_modules/configurable-http-proxy/bin/configurable-http-proxy');

/** configurable-http-proxy from npm, installed once into a cache folder (never a project dependency). */
export function installChp(): string {
  const pkg = path.join(CACHE, 'node_modules/configurable-http-proxy/package.json');
  const installed =
    fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  if (installed !== CHP_VERSION) {
    console.error(`installing configurable-http-proxy@${CHP_VERSION} into ${CACHE}…`);
    fs.mkdirSync(CACHE, { recursive: true });
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        CACHE,
        '--no-save',
        '--no-audit',
        '--no-fund',
        `configurable-http-proxy@${CHP_VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  return BIN;
}

export class Chp {
  child!: Child;
  url = '';
  private api = '';
  private readonly token = crypto.randomBytes(16).toString('hex');
  private routes = 0;

  async start(): Promise<this> {
    const bin = installChp();
    const [port, apiPort] = [await freePort(), await freePort()];
    this.url = `http://127.0.0.1:${port}`;
    this.api = `http://127.0.0.1:${apiPort}`;
    this.child = startChild(
      process.execPath,
      [
        bin,
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--api-ip',
        '127.0.0.1',
        '--api-port',
        String(apiPort),
      ],
      { env: { ...process.env, CONFIGPROXY_AUTH_TOKEN: this.token } },
    );
    await waitUntil(`${this.api}/api/routes`, (a) => a.status === 200, {
      timeoutMs: 20_000,
      what: 'configurable-http-proxy',
      child: this.child,
      headers: { authorization: `token ${this.token}` },
    });
    return this;
  }

  /** Adds routes /user/u<i>/ → target through CHP's REST API until there are `count`. */
  async ensureRoutes(count: number, target: string): Promise<void> {
    for (; this.routes < count; this.routes++) {
      const a = await httpRequest(`${this.api}/api/routes/user/u${this.routes}`, {
        method: 'POST',
        headers: { authorization: `token ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ target }),
      });
      if (a.status !== 201) throw new Error(`CHP refused a route: ${a.status} ${a.body}`);
    }
  }
}
