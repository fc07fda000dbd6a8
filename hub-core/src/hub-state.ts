import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HubError } from './errors.js';

/** Facts about this hub that must survive restarts: its id (labels its containers) and the port containers call. */
export interface HubState {
  hubId: string;
  internalPort?: number;
}

export function loadHubState(dataDir: string): HubState {
  const file = path.join(dataDir, 'state.json');
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<HubState>;
    if (typeof parsed.hubId === 'string' && /^[0-9a-f]{12}$/.test(parsed.hubId)) return parsed as HubState;
  } catch {
    // missing or damaged: start afresh below
  }
  const state = { hubId: crypto.randomBytes(6).toString('hex') };
  saveHubState(dataDir, state);
  return state;
}

export function saveHubState(dataDir: string, state: HubState): void {
  const file = path.join(dataDir, 'state.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state));
  fs.renameSync(`${file}.tmp`, file);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One hub per data folder: a second one would adopt and then stop the first one's containers.
 * Returns the function that releases the lock.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'teamhub.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new HubError(
          1,
          'data-dir-locked',
          `Another TeamHub (process ${pid}) is already using the data folder ${dataDir}.`,
          {
            fix: 'Stop that hub first, or start this one with another --data-dir.',
          },
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new HubError(1, 'data-dir-locked', `Could not lock the data folder ${dataDir}.`);
}

/** Creates the data folder, turning file-system errors into one sentence naming the setting. */
export function prepareDataDir(dataDir: string): void {
  if (/^\/(proc|sys|dev)(\/|$)/.test(path.resolve(dataDir))) {
    throw new HubError(
      1,
      'data-dir',
      `The data folder ${dataDir} is inside a system folder; choose another with --data-dir.`,
    );
  }
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.accessSync(dataDir, fs.constants.W_OK);
    if (!fs.statSync(dataDir).isDirectory())
      throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why: Record<string, string> = {
      EEXIST: 'a file with that name is in the way',
      ENOTDIR: 'part of the path is a file, not a folder',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EROFS: 'the file system is read-only',
    };
    throw new HubError(1, 'data-dir', `Cannot use ${dataDir} as the data folder: ${why[code] ?? code}.`, {
      fix: 'Choose another folder with --data-dir (or TEAMHUB_DATA_DIR).',
    });
  }
}
