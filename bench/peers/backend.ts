import { fileURLToPath } from 'node:url';
import { type Child, freePort, startChild, waitUntil } from '../lib/proc.js';

export interface Backend {
  url: string;
  child: Child;
}

export async function startBackend(): Promise<Backend> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./backend-server.ts', import.meta.url));
  const child = startChild(process.execPath, ['--import', 'tsx', script, String(port)]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`${url}/`, (a) => a.status === 200, { timeoutMs: 15_000, what: 'the backend', child });
  return { url, child };
}
