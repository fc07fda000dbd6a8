import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Child, freePort, startChild, waitUntil } from '../lib/proc.js';

const PYTHON = '/usr/bin/python3';

/**
 * Debian's JupyterHub 3.0 with its default proxy (Debian's configurable-http-proxy), dummy
 * authenticator and an admin token from its config, as a hub admin would run it.
 */
export class JupyterHub3 {
  child!: Child;
  url = '';
  private dir = '';
  readonly adminToken = crypto.randomBytes(24).toString('hex');
  coldStartMs = 0;

  async start(): Promise<this> {
    if (!fs.existsSync('/usr/lib/python3/dist-packages/jupyterhub'))
      throw new Error(
        "Debian's jupyterhub package is missing; run: sudo bash scripts/prepare-test-machine.sh",
      );
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jupyterhub-bench-'));
    const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    this.url = `http://127.0.0.1:${port}`;
    const config = `
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = ${port}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = ${hubPort}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${apiPort}'
c.JupyterHub.authenticator_class = 'dummy'
c.JupyterHub.spawner_class = 'simple'
c.JupyterHub.api_tokens = {${JSON.stringify(this.adminToken)}: 'admin'}
c.Authenticator.admin_users = {'admin'}
c.JupyterHub.db_url = 'sqlite:///${this.dir}/jupyterhub.sqlite'
c.JupyterHub.cookie_secret_file = '${this.dir}/cookie_secret'
c.ConfigurableHTTPProxy.pid_file = '${this.dir}/proxy.pid'
`;
    fs.writeFileSync(path.join(this.dir, 'config.py'), config);
    const since = performance.now();
    this.child = startChild(PYTHON, ['-m', 'jupyterhub', '-f', 'config.py'], {
      cwd: this.dir,
      env: { PATH: '/usr/bin:/bin', HOME: this.dir, LANG: 'C.UTF-8', NODE_PATH: '/usr/share/nodejs' },
    });
    this.coldStartMs = await waitUntil(`${this.url}/hub/api`, (a) => a.status === 200, {
      timeoutMs: 60_000,
      intervalMs: 5,
      since,
      what: 'JupyterHub 3.0',
      child: this.child,
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.child?.stop();
    // JupyterHub stops its proxy on a clean exit; after a SIGKILL the proxy would outlive it.
    const pidFile = path.join(this.dir, 'proxy.pid');
    if (this.dir && fs.existsSync(pidFile)) {
      try {
        process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
