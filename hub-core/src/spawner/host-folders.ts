import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { HubConfig } from '../config/schema.js';
import { HubError, describeError } from '../errors.js';
import { type DockerClient, LABEL_MANAGED, LABEL_PROBE, demuxLogs } from './docker-client.js';
import { escapeForDocker } from './names.js';

export type BindSetting = HubConfig['docker']['binds'][number];

/** The host folder of a bind for one user: `{user}` is the user's Docker-safe name, `~` the home folder. */
export function hostPathFor(template: string, user: string): string {
  const filled = template.replaceAll('{user}', escapeForDocker(user));
  return path.resolve(filled.replace(/^~(?=$|\/)/, os.homedir()));
}

const imageUsers = new Map<string, { uid: number; gid: number }>();

/** The uid and gid the image runs as (its USER, resolved inside the image when it is a name). */
async function imageUser(docker: DockerClient, image: string): Promise<{ uid: number; gid: number }> {
  const info = await docker.api.getImage(image).inspect();
  const cached = imageUsers.get(info.Id);
  if (cached) return cached;
  const user = info.Config?.User ?? '';
  let result: { uid: number; gid: number };
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!user) result = { uid: 0, gid: 0 };
  else if (numeric) result = { uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) };
  else {
    const c = await docker.api.createContainer({
      Image: image,
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['echo "$(id -u) $(id -g)"'],
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_PROBE]: 'true' },
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      await c.start();
      await c.wait();
      const out = demuxLogs((await c.logs({ stdout: true, stderr: false })) as unknown as Buffer).trim();
      const [uid, gid] = out.split(/\s+/).map(Number);
      if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`unexpected output "${out}"`);
      result = { uid: uid as number, gid: gid as number };
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  }
  imageUsers.set(info.Id, result);
  return result;
}

/**
 * Field case F14: a bind-mounted host folder that does not exist would be made by Docker, owned by
 * root, and the notebook user could not save. It is made here first, owned by the image's user.
 */
export async function prepareHostFolders(
  docker: DockerClient,
  cfg: HubConfig['docker'],
  user: string,
): Promise<Docker.MountSettings[]> {
  if (cfg.binds.length === 0) return [];
  const owner = await imageUser(docker, cfg.image);
  return cfg.binds.map((b) => {
    const source = hostPathFor(b.host, user);
    if (!fs.existsSync(source)) {
      try {
        fs.mkdirSync(source, { recursive: true, mode: 0o750 });
        fs.chownSync(source, owner.uid, owner.gid);
      } catch (err) {
        throw new HubError(
          500,
          'bind-folder',
          `Cannot create the folder ${source} for ${user} (setting docker.binds): ${describeError(err)}.`,
          {
            fix: 'Create it by hand, owned by the image user, or change docker.binds.',
          },
        );
      }
    }
    return { Type: 'bind', Source: source, Target: b.container, ReadOnly: b.readOnly };
  });
}

/** Writable binds that the container's user cannot write to, as sentences for the admin. */
export async function unwritableFolders(
  container: Docker.Container,
  cfg: HubConfig['docker'],
  user: string,
): Promise<string[]> {
  const out: string[] = [];
  for (const b of cfg.binds.filter((x) => !x.readOnly)) {
    const exec = await container.exec({
      Cmd: ['test', '-w', b.container],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({});
    await new Promise<void>((resolve) => {
      stream.on('end', () => resolve());
      stream.on('error', () => resolve());
      stream.resume();
    });
    const { ExitCode } = await exec.inspect();
    if (ExitCode !== 0) {
      const info = await container.inspect();
      out.push(
        `The folder ${b.container} is not writable by the container's user (${info.Config.User || 'root'}): host folder ${hostPathFor(b.host, user)}.`,
      );
    }
  }
  return out;
}
