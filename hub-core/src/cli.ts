import { convertSettingText } from './config/load.js';
import { loadConfigWithStoredSecrets } from './config-secrets.js';
import { tokenCommand, userCommand } from './cli-admin.js';
import { formatDiagnostics, runDiagnostics } from './diagnostics.js';
import { savedProvidersForLooking } from './ui/saved-providers.js';
import { withSavedSettings } from './ui/settings.js';
import type { HubConfig } from './config/schema.js';
import { HubError, describeError, isHubError } from './errors.js';
import { openHeadlessSecretStore } from './secret-store.js';
import { type SecretStore, loadHubSecrets } from './secrets.js';

const USAGE = `Usage: teamhub <command> [options]

Commands:
  serve                     run the hub headless; open the printed URL in a browser
  token <user> [--note TEXT] [--expires-in SECONDS] [--scopes a,b]
                            print a new API token for a user (like \`jupyterhub token\`)
  doctor [--json]           check Docker, the image, the hub address, GitHub settings, the data
                            folder and the port; each check says what is wrong and the fix
  user list                 list users
  user add|remove|admin|unadmin NAME...
                            manage users (remove stops their servers; their files stay)
  user password NAME [--admin]
                            set (or reset) a password account; creates it when missing, e.g. the
                            owner's first admin account (reads the password twice, or from stdin)

Options (every command):
  --config FILE     JSON settings file (env: TEAMHUB_CONFIG)
  --data-dir DIR    where the database and secrets live (env: TEAMHUB_DATA_DIR)
Options (serve):
  --port N          port of the hub's web address, default 8000 (env: TEAMHUB_PORT)
  --ip ADDR         address to listen on, default 127.0.0.1 (env: TEAMHUB_IP)
  -h, --help        show this help

Every setting and its environment variable: docs/configuration.md`;

function fail(err: unknown): never {
  if (isHubError(err)) {
    process.stderr.write(`teamhub: ${err.message}\n`);
    if (err.fix) process.stderr.write(`  fix: ${err.fix}\n`);
  } else {
    process.stderr.write(`teamhub: ${describeError(err)}\n`);
  }
  // 2 = the command line was wrong (as with parseArgs), 1 = anything else.
  process.exit(isHubError(err) && err.status === 2 ? 2 : 1);
}

/**
 * Splits the common flags (--config, --data-dir, and for serve --port/--ip) from the command's own,
 * and loads the settings with the GitHub client secret kept in the secret store (config-secrets.ts);
 * only serve moves secrets into the store, the other commands just look.
 */
async function commonFlags(
  args: string[],
  withListen: boolean,
  importSecrets = false,
): Promise<{
  config: HubConfig;
  rest: string[];
  help: boolean;
  store: SecretStore | undefined;
  notices: string[];
}> {
  const names = ['--config', '--data-dir', ...(withListen ? ['--port', '--ip'] : [])];
  const taken: Record<string, string> = {};
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const [flag, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined];
    if (a === '-h' || a === '--help') help = true;
    else if (names.includes(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new HubError(2, 'usage', `${flag} needs a value.`);
      taken[flag] = value;
    } else rest.push(a);
  }
  const port = taken['--port'];
  const flags: Record<string, unknown> = {
    ip: taken['--ip'],
    port: port === undefined ? undefined : convertSettingText(port, 'number'),
    dataDir: taken['--data-dir'],
  };
  const file = taken['--config'];
  const sources = { ...(file ? { file } : {}), env: process.env, flags };
  const loaded = await loadConfigWithStoredSecrets(
    sources,
    (dataDir) => openHeadlessSecretStore(dataDir),
    importSecrets,
  );
  return { ...loaded, rest, help };
}

async function serve(args: string[]): Promise<void> {
  const {
    config,
    rest,
    help,
    store: secretStore,
    notices: configNotices,
  } = await commonFlags(args, true, true);
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (rest.length)
    throw new HubError(2, 'usage', `teamhub serve does not take ${rest.join(' ')}; see teamhub --help.`);
  const store = secretStore ?? (await openHeadlessSecretStore(config.dataDir));
  const { secrets, notices } = await loadHubSecrets(store, config.dataDir);
  process.stderr.write(`Secrets are kept in ${store.description}.\n`);
  for (const notice of [...configNotices, ...notices]) process.stderr.write(`${notice}\n`);
  // Loaded here, not at the top: the admin commands (user, token) start much faster without the hub.
  const { createHub } = await import('./hub.js');
  const hub = createHub(config, { secrets, secretStore: store });
  await hub.start();
  process.stdout.write(
    `TeamHub is running: open ${hub.urls.public.replace('127.0.0.1', 'localhost')} in a browser.\n`,
  );
  let stopping = false;
  const shutdown = (signal: string, stopServers = true) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`\n${signal}: stopping ${stopServers ? 'user servers and ' : ''}the hub…\n`);
    hub.stop({ stopServers }).then(
      () => process.exit(0),
      (err) => fail(err),
    );
  };
  hub.onShutdownRequest((o) => shutdown('shutdown requested through the API', o.stopServers));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === 'serve') return await serve(rest);
    const print = (line: string) => process.stdout.write(`${line}\n`);
    if (command === 'token') {
      const { config, rest: own } = await commonFlags(rest, false);
      return await tokenCommand(config, own, print);
    }
    if (command === 'doctor') {
      const json = rest.includes('--json');
      let parsed;
      try {
        parsed = await commonFlags(rest, true);
      } catch (err) {
        // Scripts asked for JSON: a settings problem is a failed check, not plain text.
        if (!json || !isHubError(err)) throw err;
        print(
          JSON.stringify(
            [
              {
                name: 'config',
                ok: false,
                status: 'fail',
                message: err.message,
                evidence: [],
                ...(err.fix ? { fix: err.fix } : {}),
              },
            ],
            null,
            2,
          ),
        );
        process.exitCode = 1;
        return;
      }
      const { config, rest: own } = parsed;
      const unknown = own.filter((a) => a !== '--json');
      if (unknown.length)
        throw new HubError(
          2,
          'usage',
          `teamhub doctor does not take ${unknown.join(' ')}; see teamhub --help.`,
        );
      // The settings saved from the UI count too, as they will when the hub starts.
      const results = await runDiagnostics(savedProvidersForLooking(withSavedSettings(config).config));
      print(json ? JSON.stringify(results, null, 2) : formatDiagnostics(results));
      if (results.some((r) => !r.ok)) process.exitCode = 1;
      return;
    }
    if (command === 'user') {
      const { config, rest: own } = await commonFlags(rest, false);
      return await userCommand(config, own, print);
    }
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    process.stderr.write(`teamhub: unknown command "${command}".\n\n${USAGE}\n`);
    process.exit(2);
  } catch (err) {
    // node:util parseArgs errors carry codes like ERR_PARSE_ARGS_UNKNOWN_OPTION: a usage mistake.
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS'))
      fail(
        new HubError(
          2,
          'usage',
          `${(err as Error).message.replace(/\. To specify.*$/s, '')}. See teamhub --help.`,
        ),
      );
    fail(err);
  }
}
