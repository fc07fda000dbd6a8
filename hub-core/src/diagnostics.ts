import { type AddressProof, containerIpReachable, probeHubFromContainer, runProbe } from './probes.js';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import type { HubConfig } from './config/schema.js';
import { HubError, describeError } from './errors.js';
import { prepareDataDir } from './hub-state.js';
import { hubConnectCandidates } from './network.js';
import { hostPathFor } from './spawner/host-folders.js';
import { DockerClient } from './spawner/docker-client.js';

export interface CheckResult {
  name: string;
  /** False only for a real failure (skipped checks and warnings do not fail the doctor). */
  ok: boolean;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** One plain sentence: what is true, or what is wrong. */
  message: string;
  evidence: string[];
  fix?: string;
}

type Check = () => Promise<Omit<CheckResult, 'name'>>;

const pass = (message: string, evidence: string[] = []) => ({
  ok: true,
  status: 'ok' as const,
  message,
  evidence,
});
const fail = (message: string, fix: string, evidence: string[] = []) => ({
  ok: false,
  status: 'fail' as const,
  message,
  fix,
  evidence,
});
const warn = (message: string, fix: string, evidence: string[] = []) => ({
  ok: true,
  status: 'warn' as const,
  message,
  fix,
  evidence,
});
const skip = (message: string) => ({ ok: true, status: 'skip' as const, message, evidence: [] });
const fromError = (e: HubError) => fail(e.message, e.fix ?? '', e.evidence);

/**
 * The named checks behind `teamhub doctor` and `/hub/api/diagnostics`: each says pass or fail in one
 * sentence, with the evidence and the fix. `running` is true when they run inside a live hub (its own
 * port and data folder are then known to be fine).
 */
export interface DiagnosticsOptions {
  /** Inside a live hub: its own port and data folder are known to be fine. */
  running: boolean;
  /** The live hub's own proof of its container-facing address, reported as it is. */
  hubAddress?: AddressProof | undefined;
}

export function diagnostics(
  config: HubConfig,
  o: DiagnosticsOptions = { running: false },
): { name: string; run: Check }[] {
  const docker = new DockerClient(config.docker.socketPath);
  const cfg = config.docker;
  let dockerOk = false;
  let imageOk = false;
  const needsDocker =
    (run: Check): Check =>
    async () =>
      dockerOk ? run() : skip('Skipped: Docker is not reachable.');
  const needsImage =
    (run: Check): Check =>
    async () =>
      dockerOk && imageOk ? run() : skip('Skipped: the image is not usable.');

  const checks: { name: string; run: Check }[] = [
    {
      name: 'data-dir',
      run: async () => {
        if (o.running) return pass(`The data folder ${config.dataDir} is in use by this hub.`);
        try {
          // Look without creating anything: doctor changes nothing on the machine.
          if (!fs.existsSync(config.dataDir)) {
            let parent = path.dirname(path.resolve(config.dataDir));
            while (!fs.existsSync(parent)) parent = path.dirname(parent);
            if (!fs.statSync(parent).isDirectory())
              throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
            fs.accessSync(parent, fs.constants.W_OK);
            return pass(`The data folder ${config.dataDir} does not exist yet; the hub will create it.`);
          }
          prepareDataDir(config.dataDir);
          const probe = path.join(config.dataDir, `.doctor-${process.pid}`);
          fs.writeFileSync(probe, 'ok');
          fs.rmSync(probe);
          return pass(`The data folder ${config.dataDir} is writable.`);
        } catch (err) {
          return err instanceof HubError
            ? fromError(err)
            : fail(
                `The data folder ${config.dataDir} is not usable: ${describeError(err)}.`,
                'Choose another with --data-dir.',
              );
        }
      },
    },
    {
      name: 'port',
      run: async () => {
        if (o.running) return pass(`The hub is listening on ${config.ip}:${config.port}.`);
        const server = http.createServer();
        try {
          await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(config.port, config.ip, () => resolve());
          });
          return pass(`Port ${config.port} on ${config.ip} is free.`);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          return code === 'EADDRINUSE'
            ? fail(
                `Port ${config.port} on ${config.ip} is already in use.`,
                'Stop what uses it (a running TeamHub?), or choose another with --port N.',
              )
            : fail(
                `Cannot listen on ${config.ip}:${config.port} (${code}).`,
                'Choose another address with --ip or port with --port.',
              );
        } finally {
          server.close();
        }
      },
    },
    {
      name: 'docker',
      run: async () => {
        const s = await docker.status();
        if (!s.ok) return fromError(s.problem as HubError);
        dockerOk = true;
        return pass(`Docker ${s.version} (API ${s.apiVersion}) answers at ${s.socketPath}.`);
      },
    },
    {
      name: 'image',
      run: needsDocker(async () => {
        try {
          await docker.api.getImage(cfg.image).inspect();
        } catch {
          return fail(
            `The single-user image ${cfg.image} is not on this machine.`,
            'Build the default one with: sudo bash scripts/build-singleuser-image.sh, or pull your image (docker pull), or set docker.image.',
          );
        }
        const r = await runProbe(docker, cfg, ['jupyterhub-singleuser', '--version']).catch(
          (err: unknown) => ({ code: -1, output: [describeError(err)] }),
        );
        if (r.code !== 0) {
          return fail(
            `The image ${cfg.image} cannot run jupyterhub-singleuser (exit code ${r.code}).`,
            'Use a JupyterHub single-user image (e.g. quay.io/jupyter/base-notebook).',
            r.output,
          );
        }
        imageOk = true;
        return pass(
          `The image ${cfg.image} runs jupyterhub-singleuser ${r.output.at(-1) ?? ''}.`.replace(' .', '.'),
        );
      }),
    },
    {
      name: 'hub-from-container',
      run: needsImage(async () => {
        if (o.hubAddress) {
          const p = o.hubAddress;
          return p.ok ? pass(`${p.message} (checked ${p.at})`) : fail(p.message, p.fix ?? '', p.evidence);
        }
        // A throwaway listener on the address the hub would give containers, fetched from inside one.
        const candidates =
          cfg.hubConnectIp === 'auto'
            ? await hubConnectCandidates(docker, cfg.network)
            : [{ bind: cfg.hubConnectIp, advertise: cfg.hubConnectIp }];
        const server = http.createServer((_req, res) =>
          res.writeHead(200, { 'x-jupyterhub-version': config.jupyterhubVersion }).end('{}'),
        );
        let url: string | undefined;
        const tried: string[] = [];
        let portNote = '';
        const listenOn = (port: number, ip: string) =>
          new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(port, ip, () => resolve());
          });
        // The port the hub would use (docker.internalPort); when it is taken, the hub would pick another.
        for (const { bind: ip, advertise } of candidates) {
          try {
            try {
              await listenOn(cfg.internalPort, ip);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || cfg.internalPort === 0) throw err;
              portNote = ` (port ${cfg.internalPort} is in use, e.g. by a running TeamHub; the hub would pick another)`;
              await listenOn(0, ip);
            }
            url = `http://${advertise}:${(server.address() as net.AddressInfo).port}/hub/api`;
            break;
          } catch (err) {
            tried.push(`${ip}: ${describeError(err)}`);
          }
        }
        if (!url) {
          return fail(
            `No address of this machine is on the Docker network "${cfg.network}".`,
            'Set docker.hubConnectIp to an address of this machine that containers can reach.',
            tried,
          );
        }
        try {
          const r = await probeHubFromContainer(docker, cfg, url);
          return r.ok ? pass(`${r.message}${portNote}`) : fail(r.message, r.fix ?? '', r.evidence);
        } finally {
          server.close();
        }
      }),
    },
    {
      name: 'container-from-hub',
      run: needsImage(async () => {
        const r = await containerIpReachable(docker, cfg);
        if (r.ok) return pass(r.message);
        return cfg.connect === 'container-ip'
          ? fail(
              r.message,
              'Set docker.connect to "published-port" (or "auto"): Docker Desktop and remote engines need it.',
              r.evidence,
            )
          : pass(
              `${r.message} The hub uses ports published on 127.0.0.1 instead (docker.connect = ${cfg.connect}).`,
              r.evidence,
            );
      }),
    },
    {
      name: 'notebook-dir',
      run: needsImage(async () => {
        const dir = cfg.notebookDir;
        if (!dir) return pass('No docker.notebookDir is set: servers open in the home folder.');
        const home = cfg.homeMount.replace(/\/+$/, '');
        if (dir === home || dir.startsWith(`${home}/`))
          return pass(`docker.notebookDir ${dir} is inside the user's volume: it is created for each user.`);
        const r = await runProbe(docker, cfg, ['test', '-d', dir]).catch((err: unknown) => ({
          code: -1,
          output: [describeError(err)],
        }));
        return r.code === 0
          ? pass(`docker.notebookDir ${dir} exists in the image.`)
          : fail(
              `The notebook folder ${dir} (setting docker.notebookDir) does not exist in the image ${cfg.image}.`,
              `Set docker.notebookDir to a folder inside ${home}, or use an image that has ${dir}.`,
            );
      }),
    },
    {
      name: 'binds',
      run: async () => {
        if (cfg.binds.length === 0) return pass('No host folders are mounted (docker.binds is empty).');
        const problems: string[] = [];
        for (const b of cfg.binds) {
          const example = hostPathFor(b.host, 'example');
          let parent = path.dirname(example);
          while (!fs.existsSync(parent)) parent = path.dirname(parent);
          try {
            fs.accessSync(parent, fs.constants.W_OK);
          } catch {
            problems.push(
              `${b.host} → ${example}: ${parent} is not writable, so the per-user folders cannot be created`,
            );
          }
        }
        return problems.length
          ? fail(
              'Some docker.binds host folders cannot be created.',
              'Create the parent folder, or point docker.binds elsewhere.',
              problems,
            )
          : pass(
              `Host folders will be created per user, e.g. ${hostPathFor(cfg.binds[0]?.host ?? '', 'example')}.`,
            );
      },
    },
    {
      name: 'github',
      run: async () => {
        const gh = config.auth.github;
        if (!gh) {
          const others = [
            ...(config.auth.local.enabled ? ['password accounts'] : []),
            ...config.auth.oidc.map((p) => p.displayName),
          ];
          if (others.length)
            return skip(
              `GitHub sign-in is not set up; people sign in with ${others.join(', ')}. Set it up in Settings → Sign-in if your team uses GitHub.`,
            );
          return warn(
            'No sign-in method is set up: people cannot sign in with a browser (API tokens still work).',
            'Turn on password accounts (auth.local.enabled), or set up GitHub or an OpenID provider in Settings → Sign-in.',
          );
        }
        const callback = new URL(gh.callbackUrl ?? `http://localhost:${config.port}/hub/oauth_callback`);
        const evidence = [`callback URL: ${callback.href}`];
        if (callback.pathname !== '/hub/oauth_callback') {
          return fail(
            `The callback URL ${callback.href} does not end in /hub/oauth_callback.`,
            'Register and configure http(s)://<address users open>/hub/oauth_callback.',
            evidence,
          );
        }
        const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(callback.hostname);
        if (loopback && Number(callback.port || 80) !== config.port) {
          return fail(
            `The callback URL ${callback.href} points at port ${callback.port || 80}, but the hub listens on ${config.port}.`,
            `Use http://localhost:${config.port}/hub/oauth_callback (at GitHub and in auth.github.callbackUrl).`,
            evidence,
          );
        }
        const admins = config.auth.adminUsers.length;
        const rules = config.auth.allowedUsers.length + gh.allowedOrganizations.length;
        if (!admins && !rules && !config.auth.allowAll) {
          // Not a failure: admins and users added on the Users screen (kept in the database) can sign in.
          return warn(
            'GitHub sign-in is set up, but no rule names who may sign in with it: only admins and users added on the Users screen can.',
            'Add organizations (Settings → Sign-in) or allowed users and admins (Settings → Access, or auth.adminUsers / TEAMHUB_ADMIN_USERS).',
            evidence,
          );
        }
        return pass(
          `GitHub sign-in is set up; register ${callback.href} as the OAuth app's callback URL.`,
          evidence,
        );
      },
    },
  ];
  return checks;
}

/** Runs every check in order; never throws. */
export async function runDiagnostics(
  config: HubConfig,
  o: DiagnosticsOptions = { running: false },
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of diagnostics(config, o)) {
    try {
      out.push({ name: c.name, ...(await c.run()) });
    } catch (err) {
      out.push({
        name: c.name,
        ok: false,
        status: 'fail',
        message: `The check failed to run: ${describeError(err)}.`,
        evidence: [],
        fix: 'Report this as a bug.',
      });
    }
  }
  return out;
}

export function formatDiagnostics(results: CheckResult[]): string {
  return results
    .map((r) => {
      const label = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' }[r.status];
      const lines = [`${label} ${r.name}: ${r.message}`];
      if (r.status !== 'ok' && r.fix) lines.push(`     fix: ${r.fix}`);
      for (const e of r.evidence) lines.push(`     ${e}`);
      return lines.join('\n');
    })
    .join('\n');
}
