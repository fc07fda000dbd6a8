import { parseArgs } from 'node:util';
import { loadConfig } from './config/load.js';
import { describeError, isHubError } from './errors.js';
import { createHub } from './hub.js';

const USAGE = `Usage: teamhub serve [options]

Runs the hub headless: open the printed URL in a browser.

Options:
  --config FILE     JSON settings file (env: TEAMHUB_CONFIG)
  --port N          port of the hub's web address, default 8000 (env: TEAMHUB_PORT)
  --ip ADDR         address to listen on, default 127.0.0.1 (env: TEAMHUB_IP)
  --data-dir DIR    where the database and secrets live (env: TEAMHUB_DATA_DIR)
  -h, --help        show this help

Every setting and its environment variable: docs/configuration.md`;

function fail(err: unknown): never {
  if (isHubError(err)) {
    process.stderr.write(`teamhub: ${err.message}\n`);
    if (err.fix) process.stderr.write(`  fix: ${err.fix}\n`);
  } else {
    process.stderr.write(`teamhub: ${describeError(err)}\n`);
  }
  process.exit(1);
}

async function serve(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        ip: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`teamhub serve: ${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = values.port;
  const flags: Record<string, unknown> = {
    ip: values.ip,
    port: port !== undefined && /^\d+$/.test(port) ? Number(port) : port,
    dataDir: values['data-dir'],
  };
  const config = loadConfig({ ...(values.config ? { file: values.config } : {}), env: process.env, flags });
  const hub = createHub(config);
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
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    process.stderr.write(`teamhub: unknown command "${command}".\n\n${USAGE}\n`);
    process.exit(2);
  } catch (err) {
    fail(err);
  }
}
