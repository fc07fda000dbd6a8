import { passwordCommand } from './auth/password-cli.js';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { HubConfig } from './config/schema.js';
import { HubError } from './errors.js';
import { RouteTable } from './proxy/routes.js';
import { HubEvents } from './events.js';
import { loadHubState } from './hub-state.js';
import { ServerManager } from './servers.js';
import { DockerClient } from './spawner/docker-client.js';
import { DockerSpawner } from './spawner/docker-spawner.js';
import { openDatabase } from './store/database.js';
import { Store } from './store/store.js';
import { scopeProblem } from './scopes.js';
import { issueToken } from './tokens.js';
import { expiryProblem, resolveTokenScopes } from './token-requests.js';
import { usernameProblem } from './usernames.js';

/**
 * `teamhub token` and `teamhub user …`: they work on the hub's data dir directly, so they work whether
 * or not the hub is running (SQLite lets both use the file at once).
 */
function openStore(config: HubConfig): Store {
  const file = path.join(config.dataDir, 'teamhub.sqlite');
  // A mistyped --data-dir must not quietly start an empty hub database.
  if (!fs.existsSync(file)) {
    throw new HubError(1, 'no-data', `There is no TeamHub database in ${config.dataDir}.`, {
      fix: 'Start the hub once (teamhub serve) with this data folder, or give the folder the hub uses with --data-dir / TEAMHUB_DATA_DIR.',
    });
  }
  return new Store(openDatabase(file));
}

const normalize = (name: string) => name.trim().toLowerCase();

export async function tokenCommand(
  config: HubConfig,
  args: string[],
  out: (s: string) => void,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { note: { type: 'string' }, 'expires-in': { type: 'string' }, scopes: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length)
    throw new HubError(
      2,
      'usage',
      'Usage: teamhub token <user> [--note TEXT] [--expires-in SECONDS] [--scopes a,b,c]',
    );
  const expires = values['expires-in'];
  const seconds = expires === undefined ? undefined : /^\d+$/.test(expires) ? Number(expires) : expires;
  const expiry = expiryProblem(seconds);
  if (expiry) throw new HubError(2, 'usage', `--expires-in ${expiry}.`);
  const scopes =
    values.scopes === undefined
      ? []
      : values.scopes
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (values.scopes !== undefined && scopes.length === 0)
    throw new HubError(2, 'usage', '--scopes needs at least one scope, e.g. --scopes read:users,list:users.');
  for (const s of scopes) {
    const problem = scopeProblem(s);
    if (problem) throw new HubError(2, 'bad-scope', `Cannot use scope ${s}: ${problem}.`);
  }
  const store = openStore(config);
  try {
    const user = store.getUser(normalize(name));
    if (!user)
      throw new HubError(
        1,
        'no-user',
        `No such user: ${normalize(name)} (add one with: teamhub user add ${normalize(name)}).`,
      );
    const raw = resolveTokenScopes({ owner: user, scopes, roles: [] });
    const { token } = issueToken(store, {
      userId: user.id,
      kind: 'api',
      scopes: raw,
      note: values.note ?? 'Requested via teamhub token',
      expiresInSeconds: (seconds as number | undefined) ?? null,
    });
    out(token);
  } finally {
    store.db.close();
  }
}

export async function userCommand(
  config: HubConfig,
  args: string[],
  out: (s: string) => void,
): Promise<void> {
  const [action, ...names] = args;
  const usage =
    'Usage: teamhub user add|remove|admin|unadmin NAME... | teamhub user list | teamhub user password NAME [--admin]';
  const store = openStore(config);
  try {
    if (action === 'password') return await passwordCommand(store, names, out);
    if (action === 'list') {
      if (names.length) throw new HubError(2, 'usage', usage);
      for (const u of store.listUsers()) {
        const running = store
          .serversOf(u.id)
          .filter((s) => s.status === 'running')
          .map((s) => s.name || 'default');
        out(
          `${u.name}${u.admin ? ' (admin)' : ''}${running.length ? `  running: ${running.join(', ')}` : ''}`,
        );
      }
      return;
    }
    if (!['add', 'remove', 'admin', 'unadmin'].includes(action ?? '') || names.length === 0) {
      throw new HubError(2, 'usage', usage);
    }
    // Check every name before changing anything, as the API's batch create does.
    for (const raw of names) {
      const problem = usernameProblem(normalize(raw));
      if (problem)
        throw new HubError(
          2,
          'bad-name',
          `Invalid username: ${JSON.stringify(raw)} (${problem}); nothing was changed.`,
        );
    }
    for (const raw of names) {
      const name = normalize(raw);
      const problem = usernameProblem(name);
      if (problem)
        throw new HubError(2, 'bad-name', `Invalid username: ${JSON.stringify(raw)} (${problem}).`);

      const user = store.getUser(name);
      if (action === 'add') {
        if (user) out(`${name} already exists`);
        else out(`added ${store.ensureUser(name).name}`);
        continue;
      }
      if (!user) throw new HubError(1, 'no-user', `No such user: ${name}.`);
      if (action === 'admin' || action === 'unadmin') {
        store.setAdmin(user.id, action === 'admin');
        out(`${name} is ${action === 'admin' ? 'now an admin' : 'no longer an admin'}`);
        continue;
      }
      // Stop the user's containers (the volume stays), then delete the user with tokens and sessions.
      const docker = new DockerClient(config.docker.socketPath);
      const manager = new ServerManager({
        store,
        events: new HubEvents(store),
        routes: new RouteTable(),
        spawner: new DockerSpawner(docker, config.docker, loadHubState(config.dataDir).hubId),
        config,
        hubApiUrlForContainers: () =>
          Promise.reject(new HubError(1, 'cli', 'not available from the command line')),
        log: () => undefined,
      });
      await manager.removeUser(user);
      out(`removed ${name} (their tokens are revoked; their files stay in the Docker volume)`);
    }
  } finally {
    store.db.close();
  }
}
