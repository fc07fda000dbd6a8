// TeamHub's real hub (createHub from the build in dist/) whose route table gets N routes to the bench
// backend, as the server manager adds them for running servers. Driven over IPC by teamhub-proxy.ts.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type HubModule = typeof import('../../hub-core/src/hub.js');
type LoadModule = typeof import('../../hub-core/src/config/load.js');

const [port, dataDir] = [Number(process.argv[2]), process.argv[3] as string];
const dist = (p: string) => pathToFileURL(path.resolve('dist/hub-core/src', p)).href;
const { createHub } = (await import(dist('hub.js'))) as HubModule;
const { loadConfig } = (await import(dist('config/load.js'))) as LoadModule;

const config = loadConfig({
  env: {},
  overrides: { port, dataDir, logLevel: 'warn', docker: { internalPort: 0 } },
});
const hub = createHub(config);
await hub.start();
let count = 0;

process.on('message', (m: { routes: number; target: string }) => {
  for (; count < m.routes; count++)
    hub.context.routes.add({ prefix: `/user/u${count}/`, target: m.target, user: `u${count}`, server: '' });
  process.send?.({ routes: count });
});
process.on('SIGTERM', () => void hub.stop().finally(() => process.exit(0)));
process.send?.({ ready: true });
